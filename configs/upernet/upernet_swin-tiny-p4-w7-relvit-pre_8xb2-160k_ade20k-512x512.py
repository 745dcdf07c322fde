# Backbone from RelViT self-supervised pretraining (relation + absolute
# position heads, no permutation, no mega-patches).
# Train it with configs/relvit/relvit_swin-tiny-p4-w7_1xb64-100e_in1k.py
# and copy (or link) its last checkpoint to the path below.
_base_ = './upernet_swin-tiny-p4-w7_8xb2-160k_ade20k-512x512.py'

checkpoint = 'checkpoints/swin-tiny-p4-w7_relvit-pre_in1k.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
