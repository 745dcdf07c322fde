# The backbone from the RelViT self-supervised upstream with patch permutation
# and 6x6 mega-patches.
_base_ = './cascade-mask-rcnn_t2t-vit-t-14_fpn_8xb2-ms-1x_voc07.py'

checkpoint = 'work_dirs/relvit-perm-mega6_t2t-vit-t-14_1xb64-100e_in1k/epoch_100.pth'  # noqa
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
