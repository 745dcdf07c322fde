# CvT-13 for DrLoc at 224 px: the lucidrains CvT that DrLoc used (no class
# token, no position embedding, PyTorch default init). The classifier pools
# the last stage (14x14x384); DrLoc reads it pooled to 7x7 with the
# authors' AvgPool2d(3, 2, 1, count_include_pad=False).
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(type='CvT', arch='13'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=384,
        init_cfg=None,
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        cal_acc=False),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))

drloc_head = dict(
    type='DrLocHead',
    in_channels=384,
    loss=dict(type='DrLocL1Loss', loss_weight=0.1),
    init_cfg=None)
