# A tiny ViT for 32x32 inputs: patch 4 -> 8x8 token grid, 4 layers of 96-d.
# AuxSSLClassifier + TokenViT with no aux heads is exactly ImageClassifier +
# VisionTransformer(out_type='cls_token') (same forward, same state-dict
# keys), so RelViT / DrLoc digits configs are deltas adding `aux_heads`.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenViT',
        arch=dict(
            embed_dims=96, num_layers=4, num_heads=3,
            feedforward_channels=384),
        img_size=32,
        patch_size=4,
        drop_path_rate=0.1,
        out_type='tokens',
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    neck=None,
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=10,
        in_channels=96,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
    ))
