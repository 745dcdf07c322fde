# RelViT upstream with patch permutation and 6x6 mega-patches (RelViT detection
# note, Table 2, "Perm." + "Mega-patch"): Swin-T on ImageNet-1K without labels.
# After RandomResizedCrop the 7x7 grid of 32 px patches is cut into 6 row
# strips and 6 column strips (each at least one patch; columns drawn
# independently, the reference reused the row cuts) and every block is resized
# to one 32 px patch: a 192 px image of 6x6 tokens, AbsPos over 36. The last
# Swin stage is 6x6 then, smaller than the 7x7 window: pad_small_map.
_base_ = './relvit-joint_swin-tiny-p4-w7_1xb64-100e_in1k.py'

model = dict(
    backbone=dict(pad_small_map=True),
    head=None,
    aux_heads=dict(position=dict(num_patches=36)))

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='MegaPatches', num_side=6, patch_size=32),
        dict(type='PatchAugment', patch_size=32),
        dict(type='PatchPermute', patch_size=32),
        _base_.perm_pack,
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
