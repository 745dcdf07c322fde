# Backbone from DrLoc pretraining (cross-entropy + L_drloc).
# (No ViT-S/16 ImageNet-1K DrLoc upstream config ships yet: train one
# like configs/drloc/drloc_vit-tiny-p4_1xb64-30e_digits.py.)
_base_ = './upernet_vit-small-p16_8xb2-160k_ade20k-512x512.py'

checkpoint = 'checkpoints/vit-small-p16_drloc-pre_in1k.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
