# A 4-layer 96-d T2T-ViT_t for the digits resized to 128 px (the T2T module
# has a fixed stride of 16): 8x8 tokens, pooled to 4x4 for DrLoc with the
# authors' AvgPool2d(3, 2, 1, count_include_pad=False), as 14x14 -> 7x7 at
# 224 px.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenT2TViT',
        out_type='tokens',
        img_size=128,
        embed_dims=96,
        num_layers=4,
        layer_cfgs=dict(num_heads=3, feedforward_channels=288),
        t2t_cfg=dict(token_dims=32),
        drop_path_rate=0.1),
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=10,
        in_channels=96,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    # trunc-normal for every Linear, the DrLoc MLP included (authors' T2T)
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ])

drloc_head = dict(
    type='DrLocHead',
    in_channels=96,
    loss=dict(type='DrLocL1Loss', loss_weight=0.1),
    init_cfg=None)
