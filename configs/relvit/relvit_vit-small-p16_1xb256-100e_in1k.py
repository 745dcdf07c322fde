# RelViT self-supervised upstream of ViT-S/16 on ImageNet-1K (14x14 tokens,
# AbsPos over 196), the backbone of the -relvit-pre detection and segmentation
# configs; no positional embeddings, per-patch augmentation of the 16 px
# patches. The SpRel logits are B x 9 x 196 x 196 (354 MB in fp32 at batch
# 256).
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in1k.py'

model = dict(
    backbone=dict(patch_size=16, use_pos_embed=False),
    head=None,
    aux_heads=dict(position=dict(num_patches=196)))

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='PatchAugment', patch_size=16),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
