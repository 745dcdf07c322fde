# RelViT upstream with 6x6 mega-patches (reference upstream_MEGApatch.sh
# --side_megapatches 6): ViT-S/32 on ImageNet-1K, no labels, no positional
# embeddings, spatial-relation + absolute-position heads. After
# RandomResizedCrop the 7x7 grid of 32 px patches is cut into 6 row strips and
# 6 column strips (each at least one patch; columns drawn independently, the
# reference reused the row cuts) and every block is resized to one 32 px patch:
# a 192 px image of 6x6 tokens, AbsPos over 36.
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in1k.py'

model = dict(
    backbone=dict(use_pos_embed=False),
    head=None,
    aux_heads=dict(position=dict(num_patches=36)))

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='MegaPatches', num_side=6, patch_size=32),
        dict(type='PatchAugment', patch_size=32),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
