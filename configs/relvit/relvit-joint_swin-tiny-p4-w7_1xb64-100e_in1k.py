# RelViT joint training ("downstream-only", reference downstream-only.sh):
# Swin-T on ImageNet-1K, classification + spatial-relation + absolute-position
# losses on the 7x7 grid of 32 px cells, the supervised pipeline. Primitive of
# the Swin-T ImageNet-1K configs.
_base_ = [
    '../_base_/models/relvit_swin-tiny-p4-w7.py',
    '../_base_/datasets/relvit_in1k.py',
    '../_base_/schedules/relvit_adamw_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=1000))

# reference README: batch 64 for Swin-T / T2T-ViT-14, same lr
train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
auto_scale_lr = dict(base_batch_size=64)
