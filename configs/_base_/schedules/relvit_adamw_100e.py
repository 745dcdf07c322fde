# RelViT's recipe (reference utils.py + README commands): AdamW (torch
# defaults, lr 5e-4, weight decay 0.1 on every parameter: no paramwise
# groups), grad-norm clip 1.0, 100 epochs; the LR is set every iteration by
# RelViTLR: linear warm-up from 0 over the first 10% of the steps, then a
# quarter cosine (progress counted from step 0) down to 1.25e-6.
# CIFAR at batch 256: 196 iterations/epoch, 19,600 steps, 1,960 warm-up.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.1),
    clip_grad=dict(max_norm=1.0))

param_scheduler = dict(
    type='RelViTLR',
    warmup_ratio=0.1,
    eta_min=1.25e-6,
    by_epoch=True,
    begin=0,
    end=100,
    convert_to_iter_based=True)

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# lr 5e-4 is the reference's for batch 256 (ViT) and for batch 64 (Swin-T,
# T2T-ViT-14, whose configs set base_batch_size=64)
auto_scale_lr = dict(base_batch_size=256)
