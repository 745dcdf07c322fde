# Supervised baseline on the embedded digits: the reference every RelViT and
# DrLoc digits config is compared with.
_base_ = [
    '../_base_/models/vit-tiny-p4_digits.py',
    '../_base_/datasets/digits_bs64.py',
    '../_base_/schedules/digits_adamw_30e.py',
    '../_base_/default_runtime.py',
]
