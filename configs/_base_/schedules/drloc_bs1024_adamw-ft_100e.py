# DrLoc's fine-tuning recipe (paper App. F): AdamW lr 5e-4, weight decay
# 0.05, batch 1024, 10 linear warm-up epochs, then cosine to 1e-5 at epoch
# 100 (the authors' release has no fine-tuning code to compare with).
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py'

optim_wrapper = dict(
    optimizer=dict(lr=5e-4),
    paramwise_cfg=dict(custom_keys={'cls_token': dict(decay_mult=0.0)}),
    clip_grad=dict(max_norm=5.0))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=10,
        convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=10),
]

train_cfg = dict(max_epochs=100)
