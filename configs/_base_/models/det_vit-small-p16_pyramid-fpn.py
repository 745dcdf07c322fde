# ViT-S/16 (mmpretrain arch 'deit-small': 384-d, 12 layers, 6 heads) for
# mmdet's two-stage detectors. The final stride-16 token grid (after the
# final norm, class token dropped) goes through ViTPyramidNeck (ViTDet's
# simple pyramid: strides 4/8/16/32 with 96/192/384/384 channels) and FPN.
# pos_embed stays at the 14x14 pretraining grid and is interpolated to every
# input size in the forward pass.
#
# Variables only, no `model`: configs/mask_rcnn and configs/cascade_mask_rcnn
# inherit this next to mmdet's model base and use
#   model = dict(backbone=_base_.det_backbone, neck=_base_.det_neck)
# and, for joint SSL training, `model = _base_.relvit_joint` or
# `model = _base_.drloc_joint`.

# Supervised ImageNet-1K DeiT-S of mmpretrain's model zoo (an
# ImageClassifier checkpoint, hence prefix='backbone.'). The -relvit-pre /
# -drloc-pre configs change only this checkpoint.
pretrained = 'https://download.openmmlab.com/mmclassification/v0/deit/deit-small_pt-4xb256_in1k_20220218-9425b9bb.pth'  # noqa

det_backbone = dict(
    _delete_=True,
    type='mmpretrain.VisionTransformer',
    arch='deit-small',
    img_size=224,
    patch_size=16,
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

# Joint SSL during detection training (the RelViT note's Tab. 2-3 rows with
# 'Upstream' off): the pretraining heads on the final token grid, pooled to
# the grid they see in pretraining (14x14 for RelViT at 224 px, 7x7 for
# DrLoc; the paper's lambda 0.1 for ViT-like backbones).
relvit_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=14),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=384),
        position=dict(
            type='AbsPositionHead', in_channels=384, num_patches=196)))
drloc_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=7),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=384,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
