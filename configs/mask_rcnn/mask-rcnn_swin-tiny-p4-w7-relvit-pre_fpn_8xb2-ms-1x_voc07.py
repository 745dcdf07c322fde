# The backbone from the RelViT self-supervised upstream (spatial-relation +
# absolute-position heads, no permutation, no mega-patches).
_base_ = './mask-rcnn_swin-tiny-p4-w7_fpn_8xb2-ms-1x_voc07.py'

checkpoint = 'work_dirs/relvit_swin-tiny-p4-w7_1xb64-100e_in1k/epoch_100.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
