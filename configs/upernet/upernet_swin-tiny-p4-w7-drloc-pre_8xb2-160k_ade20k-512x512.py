# Backbone from DrLoc pretraining (cross-entropy + L_drloc).
# Train it with configs/drloc/drloc_swin-tiny-p4-w7_8xb128-300e_in1k.py
# and copy (or link) its last checkpoint to the path below.
_base_ = './upernet_swin-tiny-p4-w7_8xb2-160k_ade20k-512x512.py'

checkpoint = 'checkpoints/swin-tiny-p4-w7_drloc-pre_in1k.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
