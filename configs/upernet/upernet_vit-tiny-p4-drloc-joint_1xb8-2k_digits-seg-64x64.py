# Supervised-pretrained digits backbone; the DrLoc head trained jointly with
# the segmentor on the final token grid (Upstream off), pooled to the 8x8
# grid of digits pretraining; lambda 0.1 as for the paper's ViT-like
# backbones.
_base_ = './upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py'

model = dict(
    type='AuxSSLEncoderDecoder',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=8),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=96,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
