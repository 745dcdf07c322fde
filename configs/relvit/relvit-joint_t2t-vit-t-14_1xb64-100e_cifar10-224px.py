# RelViT joint training ("downstream-only", reference downstream-only.sh):
# T2T-ViT-t-14 on CIFAR-10 at 224 px, classification + spatial-relation +
# absolute-position losses on the 7x7 grid of 32 px cells, the supervised
# pipeline. Primitive of the T2T-ViT-t-14 CIFAR-10 at 224 px configs.
_base_ = [
    '../_base_/models/relvit_t2t-vit-t-14.py',
    '../_base_/datasets/relvit_cifar10-224px.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]

# reference README: batch 64 for Swin-T / T2T-ViT-14, same lr
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
auto_scale_lr = dict(base_batch_size=64)
