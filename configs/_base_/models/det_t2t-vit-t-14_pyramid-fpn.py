# T2T-ViT-t-14 (mmpretrain T2T_ViT: 384-d, 14 layers, transformer T2T
# module) for mmdet's two-stage detectors: its stride-16 token grid goes
# through the same ViTPyramidNeck + FPN as ViT-S/16.
#
# Variables only, no `model` (see det_vit-small-p16_pyramid-fpn.py).

# Supervised ImageNet-1K T2T-ViT-t-14 of mmpretrain's model zoo.
pretrained = 'https://download.openmmlab.com/mmclassification/v0/t2t-vit/t2t-vit-t-14_8xb64_in1k_20211220-f7378dd5.pth'  # noqa

det_backbone = dict(
    _delete_=True,
    type='mmpretrain.T2T_ViT',
    img_size=224,
    embed_dims=384,
    num_layers=14,
    out_type='featmap',
    out_indices=-1,
    drop_path_rate=0.1,
    init_cfg=dict(
        type='Pretrained', checkpoint=pretrained, prefix='backbone.'))

det_neck = [
    dict(
        type='mmpretrain.ViTPyramidNeck',
        in_channels=384,
        scales=(4, 2, 1, 0.5)),
    dict(
        type='FPN',
        in_channels=[96, 192, 384, 384],
        out_channels=256,
        num_outs=5),
]

# Joint SSL: the grid pooled to 7x7, as T2T-ViT's 14x14 grid is in
# pretraining (DrLoc's lambda 0.1 for T2T).
relvit_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=384),
        position=dict(type='AbsPositionHead', in_channels=384,
                      num_patches=49)))
drloc_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=384,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
