# RelViT on Swin-T at 224 px, joint form. The aux heads read the last stage
# after its LayerNorm, (B, 768, 7, 7): one token per 32x32 cell, so the
# pipeline's patch size for labels, PatchAugment and PatchPermute is 32. The
# classifier is Swin's own: global average pooling + linear. Swin has no
# absolute position embedding (relative bias only), so upstream configs only
# set head=None; permuting the 32 px cells (PatchPermute) makes AbsPos
# non-trivial.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='SwinTransformer',
        arch='tiny',
        img_size=224,
        out_indices=(3, ),
        # the reference's swin_tiny() fixes it at 0.1 whatever the CLI says
        drop_path_rate=0.1,
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=768,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead', in_channels=768, task='relation'),
        position=dict(type='AbsPositionHead', in_channels=768,
                      num_patches=49)))
