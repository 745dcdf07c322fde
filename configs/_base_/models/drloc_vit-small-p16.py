# ViT-S/16 (DeiT-S layout: 384-d, 12 layers, 6 heads; drop path 0.1) for
# DrLoc at 224 px. Not in the paper: the ImageNet-1K pretraining consumed by
# the ViT-S/16 detection / segmentation transfer configs. The grid is handled
# like ViT-B/16 (14x14 after the final norm, pooled to 7x7) with ViT-B/16's
# lambda, 0.01.
_base_ = 'mmpretrain::_base_/models/vit-base-p16.py'

model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenViT',
        arch='deit-small',
        out_type='tokens',
        drop_rate=0.,
        drop_path_rate=0.1),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    head=dict(in_channels=384, loss=dict(mode='original')),
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))

drloc_head = dict(
    type='DrLocHead',
    in_channels=384,
    loss=dict(type='DrLocL1Loss', loss_weight=0.01),
    init_cfg=None)
