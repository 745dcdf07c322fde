# The backbone from the RelViT self-supervised upstream (spatial-relation +
# absolute-position heads, no permutation, no mega-patches).
_base_ = './mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py'

checkpoint = 'work_dirs/relvit_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
