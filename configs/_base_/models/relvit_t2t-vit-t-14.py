# RelViT on T2T-ViT-14 at 224 px, joint form. The 14x14 tokens are pooled to
# the 7x7 grid of the 32 px labels by AvgPool2d(3, 2, 1,
# count_include_pad=False) (reference relvit.py:151-152) before the aux
# heads; the classifier reads the class token. mmpretrain implements the
# transformer tokens-to-token module only (T2T-ViT-t-14), not the reference's
# performer one. The sinusoidal position embedding is fixed and always added,
# so without PatchPermute the AbsPos task is trivial.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenT2TViT',
        img_size=224,
        embed_dims=384,
        t2t_cfg=dict(token_dims=64, use_performer=False),
        num_layers=14,
        layer_cfgs=dict(num_heads=6, feedforward_channels=3 * 384),
        # the reference's t2t_vit_14() never receives --drop_path_rate
        drop_path_rate=0.,
        out_type='tokens',
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=0.02),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    neck=None,
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=10,
        in_channels=384,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead', in_channels=384, task='relation'),
        position=dict(type='AbsPositionHead', in_channels=384,
                      num_patches=49)))
