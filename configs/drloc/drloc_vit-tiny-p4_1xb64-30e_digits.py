# DrLoc on the digits ViT baseline configs/vit/vit-tiny-p4_1xb64-30e_digits.py
# (same data, schedule and seed): the 8x8 patch grid after the final norm, no
# pooling. lambda = 0.1: the paper's 0.01 is for ViT-B/16; 0.1 is its value
# for the other plain-token models (T2T-ViT, CvT). Not tuned on digits.
_base_ = [
    '../_base_/models/vit-tiny-p4_digits.py',
    '../_base_/datasets/digits_bs64.py',
    '../_base_/schedules/digits_adamw_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=96,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1),
            init_cfg=None)))
