# Swin-T (mmpretrain arch 'tiny': 96-d, depths 2/2/6/2, window 7) for mmdet's
# two-stage detectors: its four stages (strides 4/8/16/32, 96/192/384/768
# channels, each after its norm) feed FPN directly, as in DrLoc App. D.
# pad_small_map lets windows cover maps smaller than 7x7 at any input size.
#
# Variables only, no `model` (see det_vit-small-p16_pyramid-fpn.py).

# Supervised ImageNet-1K Swin-T of mmpretrain's model zoo (an ImageClassifier
# checkpoint, hence prefix='backbone.').
pretrained = 'https://download.openmmlab.com/mmclassification/v0/swin-transformer/swin_tiny_224_b16x64_300e_imagenet_20210616_090925-66df6be6.pth'  # noqa

det_backbone = dict(
    _delete_=True,
    type='mmpretrain.SwinTransformer',
    arch='tiny',
    img_size=224,
    out_indices=(0, 1, 2, 3),
    drop_path_rate=0.2,
    pad_small_map=True,
    init_cfg=dict(
        type='Pretrained', checkpoint=pretrained, prefix='backbone.'))

det_neck = dict(
    type='FPN', in_channels=[96, 192, 384, 768], out_channels=256, num_outs=5)

# Joint SSL: the heads read the stage-4 map pooled to the 7x7 grid of 224 px
# pretraining; DrLoc uses lambda 0.5 for Swin.
relvit_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=768),
        position=dict(type='AbsPositionHead', in_channels=768,
                      num_patches=49)))
drloc_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=768,
            loss=dict(type='DrLocL1Loss', loss_weight=0.5))))
