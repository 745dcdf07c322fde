# Backbone from RelViT self-supervised pretraining (relation + absolute
# position heads, no permutation, no mega-patches).
# Train it with configs/relvit/relvit_vit-small-p16_1xb256-100e_in1k.py
# and copy (or link) its last checkpoint to the path below.
_base_ = './upernet_vit-small-p16_8xb2-160k_ade20k-512x512.py'

checkpoint = 'checkpoints/vit-small-p16_relvit-pre_in1k.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
