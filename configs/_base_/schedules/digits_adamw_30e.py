# RelViT's recipe (AdamW 5e-4, wd 0.1 on every parameter, grad-norm clip 1.0,
# RelViTLR: linear warm-up over 10% of the steps, then a quarter cosine to
# 1.25e-6) on a short schedule: 30 epochs x 23 iterations of 64 images
# (690 steps, 69 of warm-up). Every digits classification config (supervised,
# RelViT upstream / finetune / joint / linear probe) shares it.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.1),
    clip_grad=dict(max_norm=1.0))

param_scheduler = dict(
    type='RelViTLR',
    warmup_ratio=0.1,
    eta_min=1.25e-6,
    by_epoch=True,
    begin=0,
    end=30,
    convert_to_iter_based=True)

train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=64)
