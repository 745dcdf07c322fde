# A small CvT for the 32 px digits: CvT-13's layout with 32/64/96 channels,
# depths 1/1/2 and strides 2/2/1 (instead of 4/2/2), so that the last stage
# is 8x8x96; DrLoc reads it pooled to 4x4 with the authors'
# AvgPool2d(3, 2, 1, count_include_pad=False), as 14x14 -> 7x7 at 224 px.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='CvT',
        arch=dict(
            embed_dims=(32, 64, 96),
            depths=(1, 1, 2),
            num_heads=(1, 2, 3),
            strides=(2, 2, 1)),
        drop_path_rate=0.1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=96,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False))

drloc_head = dict(
    type='DrLocHead',
    in_channels=96,
    loss=dict(type='DrLocL1Loss', loss_weight=0.1),
    init_cfg=None)
