# The backbone from the RelViT self-supervised upstream with 6x6 mega-patches.
_base_ = './mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_voc07.py'

checkpoint = 'work_dirs/relvit-mega6_vit-small-p16_1xb256-100e_in1k/epoch_100.pth'  # noqa
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
