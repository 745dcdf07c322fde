# RelViT joint training ("downstream-only", reference downstream-only.sh):
# ViT-S/32 on ImageNet-1K, classification + spatial-relation +
# absolute-position losses summed without weights, positional embeddings on,
# the supervised pipeline (the SSL targets are the identity order). Primitive
# of the ViT-S/32 ImageNet-1K configs.
_base_ = [
    '../_base_/models/relvit_vit-small-p4.py',
    '../_base_/datasets/relvit_in1k.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]

# 224 px, patch 32 -> 7x7 tokens
model = dict(
    backbone=dict(img_size=224, patch_size=32),
    head=dict(num_classes=1000),
    aux_heads=dict(position=dict(num_patches=49)))
