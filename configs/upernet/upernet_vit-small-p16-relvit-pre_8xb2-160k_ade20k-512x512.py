# Backbone from RelViT self-supervised pretraining (relation + absolute
# position heads, no permutation, no mega-patches).
_base_ = './upernet_vit-small-p16_8xb2-160k_ade20k-512x512.py'

checkpoint = 'checkpoints/vit-small-p16_relvit-pre_in1k.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
