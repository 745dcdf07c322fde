# RelViT self-supervised upstream (reference upstream.sh): ViT-S/32 on
# Flowers-102 without labels, spatial-relation + absolute-position heads, no
# positional embeddings (the encoder is permutation-equivariant, so patch
# shuffling would be a no-op), per-patch augmentation.
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_flowers102.py'

model = dict(backbone=dict(use_pos_embed=False), head=None)

train_dataloader = dict(dataset=dict(pipeline=_base_.upstream_pipeline))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
