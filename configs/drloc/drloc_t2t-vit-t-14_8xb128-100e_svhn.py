_base_ = [
    '../_base_/models/drloc_t2t-vit-t-14.py',
    '../_base_/datasets/drloc_svhn_bs128_224.py',
    '../_base_/schedules/drloc_bs1024_adamw_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    head=dict(num_classes=10), aux_heads=dict(drloc=_base_.drloc_head))
