# ViT-B/16 for DrLoc at 224 px (paper App. C). The 14x14 patch grid (after
# the final norm, class token dropped) is pooled to 7x7 as the paper says;
# the authors' code runs DrLoc on the 14x14 grid (set grid_pool=None).
_base_ = 'mmpretrain::_base_/models/vit-base-p16.py'

model = dict(
    type='AuxSSLClassifier',
    backbone=dict(type='TokenViT', out_type='tokens'),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    head=dict(loss=dict(mode='original')),
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))

drloc_head = dict(
    type='DrLocHead',
    in_channels=768,
    loss=dict(type='DrLocL1Loss', loss_weight=0.01),
    init_cfg=None)
