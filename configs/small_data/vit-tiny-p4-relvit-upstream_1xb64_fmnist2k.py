# Small-data study, RelViT upstream: self-supervised pretraining of the same
# ViT on the same 2,000 training images (labels unused): spatial-relation and
# absolute-position heads, no classifier, no positional embedding (the
# encoder is then permutation-equivariant, so a patch shuffle would be a
# no-op), RelViT's per-patch augmentation. Followed by
# vit-tiny-p4-relvit-finetune_1xb64_fmnist2k.py.
_base_ = ['./vit-tiny-p4_1xb64_fmnist2k.py']

model = dict(
    backbone=dict(use_pos_embed=False),
    head=None,
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead',
            in_channels=_base_.embed_dims,
            task='relation'),
        position=dict(
            type='AbsPositionHead',
            in_channels=_base_.embed_dims,
            num_patches=49)))

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # per-patch crop + brightness/contrast jitter, before normalisation
    dict(type='PatchAugment', patch_size=4),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# nothing to classify: no validation
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
