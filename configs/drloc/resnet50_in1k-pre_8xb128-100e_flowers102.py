_base_ = [
    '../_base_/models/drloc_resnet50.py',
    '../_base_/datasets/drloc_flowers102_bs128_224.py',
    '../_base_/schedules/drloc_bs1024_adamw-ft_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=_base_.in1k_backbone, head=dict(num_classes=102))
