# RelViT joint training ("downstream-only", reference downstream-only.sh):
# ViT-S/8 on Tiny ImageNet, classification + spatial-relation +
# absolute-position losses summed without weights, positional embeddings on,
# the supervised pipeline (the SSL targets are the identity order). Primitive
# of the ViT-S/8 Tiny ImageNet configs.
_base_ = [
    '../_base_/models/relvit_vit-small-p4.py',
    '../_base_/datasets/relvit_tiny-imagenet.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]

# 64 px, patch 8 -> 8x8 tokens
model = dict(
    backbone=dict(img_size=64, patch_size=8), head=dict(num_classes=200))
