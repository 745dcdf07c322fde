# RelViT's optimiser (AdamW 5e-4, wd 0.1, grad-norm clip 1.0) on a short
# schedule: 30 epochs x 23 iterations of 64 images.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.1),
    clip_grad=dict(max_norm=1.0))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=3,
        convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1.25e-6, by_epoch=True, begin=3),
]

train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=64)
