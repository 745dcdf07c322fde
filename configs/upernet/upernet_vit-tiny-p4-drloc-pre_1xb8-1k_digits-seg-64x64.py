# Backbone from DrLoc pretraining on the digits (cross-entropy +
# L_drloc).
_base_ = './upernet_vit-tiny-p4_1xb8-1k_digits-seg-64x64.py'

checkpoint = 'work_dirs/DRLOC_DIGITS/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
