# 1x schedule of DrLoc App. D (the Swin detection recipe): 12 epochs, AdamW
# lr 1e-4, weight decay 0.05, batch 16 (8 GPUs x 2 images), 1,000 linear
# warm-up iterations, lr x0.1 at epochs 8 and 11.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=12,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        _delete_=True,
        type='AdamW',
        lr=0.0001,
        betas=(0.9, 0.999),
        weight_decay=0.05),
    # no decay on positional embeddings, class token, relative-position
    # tables and norms (mmpretrain ViT/T2T name their norms ln1/ln2/norm,
    # Swin norm<i>)
    paramwise_cfg=dict(
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.),
            'relative_position_bias_table': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.),
            '.ln': dict(decay_mult=0.),
        }))
