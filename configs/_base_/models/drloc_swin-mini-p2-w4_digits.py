# A two-stage Swin for the 32 px digits, sized like the digits ViT
# (vit-tiny-p4_digits.py): patch 2 and window 4, 16x16x48 -> 8x8x96. The
# DrLoc grid is the last stage (8x8x96, after its norm as in Swin-T).
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='SwinTransformer',
        arch=dict(embed_dims=48, depths=[2, 4], num_heads=[3, 6]),
        img_size=32,
        patch_size=2,
        window_size=4,
        drop_path_rate=0.1,
        out_indices=(1, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=96,
        init_cfg=None,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ])

# The model's trunc-normal init_cfg covers the DrLoc MLP.
drloc_head = dict(
    type='DrLocHead',
    in_channels=96,
    loss=dict(type='DrLocL1Loss', loss_weight=0.5),
    init_cfg=None)
