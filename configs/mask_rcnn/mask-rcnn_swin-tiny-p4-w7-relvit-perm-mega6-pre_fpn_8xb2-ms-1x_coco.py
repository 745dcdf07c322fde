# The backbone from the RelViT self-supervised upstream with patch permutation
# and 6x6 mega-patches.
_base_ = './mask-rcnn_swin-tiny-p4-w7_fpn_8xb2-ms-1x_coco.py'

checkpoint = 'work_dirs/relvit-perm-mega6_swin-tiny-p4-w7_1xb64-100e_in1k/epoch_100.pth'  # noqa
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
