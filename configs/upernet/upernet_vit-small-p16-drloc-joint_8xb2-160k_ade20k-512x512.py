# Supervised-pretrained backbone; the DrLoc head trained jointly with the
# segmentor on the final token grid (Upstream off), pooled to the 7x7 grid of
# DrLoc pretraining; lambda 0.1 as in the paper for this backbone.
_base_ = './upernet_vit-small-p16_8xb2-160k_ade20k-512x512.py'

model = dict(
    type='AuxSSLEncoderDecoder',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=384,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
