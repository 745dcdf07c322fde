# RelViT on ViT-S/4 at 32 px (8x8 patch tokens), joint form: class-token
# classifier + spatial-relation (SpRel, 9 classes) and absolute-position
# (AbsPos, 64 classes) heads on the final-norm patch tokens. Upstream configs
# set head=None and backbone.use_pos_embed=False; finetune configs set
# aux_heads=None and load a backbone. Other patch sizes / resolutions change
# backbone.img_size, backbone.patch_size and aux_heads.position.num_patches.
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenViT',
        # ViT-S: 384-d, 12 layers, 6 heads, FFN 1536, qkv bias, LN eps 1e-6
        # (mmpretrain's arch='small' is a different, 768-d model)
        arch='deit-small',
        img_size=32,
        patch_size=4,
        drop_rate=0.,
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
        in_channels=384,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead', in_channels=384, task='relation'),
        position=dict(type='AbsPositionHead', in_channels=384,
                      num_patches=64)))
