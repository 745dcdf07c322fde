# Backbone from RelViT self-supervised pretraining on the digits
# (relation + absolute position heads, no permutation, no mega-patches).
# Pretrain it first (writes the checkpoint below):
#   python tools/train.py configs/relvit/relvit_vit-tiny-p4_1xb64-30e_digits.py
_base_ = './upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py'

checkpoint = 'work_dirs/relvit_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
