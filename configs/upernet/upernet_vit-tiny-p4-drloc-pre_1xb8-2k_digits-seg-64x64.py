# Backbone from DrLoc pretraining on the digits (cross-entropy + L_drloc).
# Pretrain it first (writes the checkpoint below):
#   python tools/train.py configs/drloc/drloc_vit-tiny-p4_1xb64-30e_digits.py
_base_ = './upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py'

checkpoint = 'work_dirs/drloc_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
