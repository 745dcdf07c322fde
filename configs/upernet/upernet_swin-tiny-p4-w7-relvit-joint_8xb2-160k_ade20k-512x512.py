# Supervised-pretrained backbone; the RelViT relation + absolute-position
# heads trained jointly with the segmentor on the final token grid (Upstream
# off), pooled to the 7x7 grid they see in pretraining at 224 px; plain
# sum of the losses, as in RelViT.
_base_ = './upernet_swin-tiny-p4-w7_8xb2-160k_ade20k-512x512.py'

model = dict(
    type='AuxSSLEncoderDecoder',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=768),
        position=dict(type='AbsPositionHead', in_channels=768,
                      num_patches=49)))
