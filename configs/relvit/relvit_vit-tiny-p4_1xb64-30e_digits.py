# RelViT self-supervised upstream on the embedded digits (labels unused):
# spatial-relation + absolute-position heads, no positional embeddings, no
# classification head, per-patch augmentation. Same model size, data split
# and schedule as the supervised baseline it inherits.
_base_ = '../vit/vit-tiny-p4_1xb64-30e_digits.py'

model = dict(
    backbone=dict(use_pos_embed=False),
    head=None,
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead', in_channels=96, task='relation'),
        position=dict(type='AbsPositionHead', in_channels=96, num_patches=64)))

# per-patch crop + jitter after the image augmentation (grayscale digits:
# only brightness and contrast change)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='PatchAugment', patch_size=4),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
