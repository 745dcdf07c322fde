# RelViT upstream of ViT-S/16 on ImageNet-1K with 6x6 mega-patches, the
# backbone of the -relvit-mega6-pre detection configs: the 14x14 grid of 16 px
# patches is cut into 6 row and 6 column strips (2 or 3 patches each) and every
# block is resized to one 16 px patch, a 96 px image of 6x6 tokens (AbsPos over
# 36); no labels, no positional embeddings. pos_embed stays 14x14 (unused).
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in1k.py'

model = dict(
    backbone=dict(patch_size=16, use_pos_embed=False),
    head=None,
    aux_heads=dict(position=dict(num_patches=36)))

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='MegaPatches', num_side=6, patch_size=16),
        dict(type='PatchAugment', patch_size=16),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
