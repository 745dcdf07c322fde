_base_ = [
    '../_base_/models/drloc_vit-small-p16.py',
    '../_base_/datasets/drloc_imagenet_bs128_224.py',
    '../_base_/schedules/drloc_bs1024_adamw_300e.py',
    '../_base_/default_runtime.py',
]
