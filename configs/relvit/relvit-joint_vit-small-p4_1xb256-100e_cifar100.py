# RelViT joint training ("downstream-only", reference downstream-only.sh):
# ViT-S/4 on CIFAR-100, classification + spatial-relation + absolute-position
# losses summed without weights, positional embeddings on, the supervised
# pipeline (the SSL targets are the identity order). Primitive of the ViT-S/4
# CIFAR-100 configs.
_base_ = [
    '../_base_/models/relvit_vit-small-p4.py',
    '../_base_/datasets/relvit_cifar100.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]

# 32 px, patch 4 -> 8x8 tokens
model = dict(head=dict(num_classes=100))
