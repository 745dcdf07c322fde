# RelViT joint training ("downstream-only", reference downstream-only.sh):
# ViT-S/4 on SVHN, classification + spatial-relation + absolute-position losses
# summed without weights, positional embeddings on, the supervised pipeline
# (the SSL targets are the identity order). Primitive of the ViT-S/4 SVHN
# configs.
_base_ = [
    '../_base_/models/relvit_vit-small-p4.py',
    '../_base_/datasets/relvit_svhn.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]
