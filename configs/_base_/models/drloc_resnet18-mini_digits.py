# A ResNet-18 at quarter width (16..128 channels) with the CIFAR stem
# (3x3 conv, no max-pool) for the 32 px digits: layer4 is the 4x4x128 DrLoc
# grid, as layer4 (7x7) of ResNet-50 at 224 px.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        stem_channels=16,
        base_channels=16,
        out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

drloc_head = dict(
    type='DrLocHead',
    in_channels=128,
    loss=dict(type='DrLocL1Loss', loss_weight=0.5),
    init_cfg=None)
