# Supervised-pretrained digits backbone; the RelViT relation + absolute-
# position heads trained jointly with the segmentor on the final token grid
# (Upstream off), pooled to the 8x8 grid of digits pretraining.
_base_ = './upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py'

model = dict(
    type='AuxSSLEncoderDecoder',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=8),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=96),
        position=dict(type='AbsPositionHead', in_channels=96, num_patches=64)))
