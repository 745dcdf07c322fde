_base_ = [
    '../_base_/models/drloc_t2t-vit-mini_digits.py',
    '../_base_/datasets/drloc_digits-128px_bs64.py',
    '../_base_/schedules/digits_adamw_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(aux_heads=dict(drloc=_base_.drloc_head))
