# DrLoc as the released train.sh runs it (DRLOC_MODE=l1 --use_abs):
# L1 on the raw offsets |d|,
# lambda 0.5, 8 GPUs x 128 images, CIFAR-10.
# The rest of the released recipe: lambda ramps up from 0 over 20 epochs,
# then decays linearly towards 0 at epoch 300 (DrLocLambdaHook); timm's
# cosine LR over a 300-epoch horizon, stopped after 101 epochs; pairs and
# Mixup / CutMix drawn per rank (SEED 0 + rank); the best validation top-1
# over the epochs is kept. What still differs: configs/drloc/README.md,
# "Official presets".
_base_ = [
    '../_base_/models/drloc_swin-tiny-p4-w7.py',
    '../_base_/datasets/drloc_cifar10_bs128_224.py',
    '../_base_/schedules/drloc-official_bs1024_adamw_101e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    head=dict(num_classes=10),
    # targets: the raw cell offsets |du|, |dv| (0..6 on the 7x7 grid)
    aux_heads=dict(
        drloc=dict(
            _base_.drloc_head,
            loss=dict(_base_.drloc_head.loss, target_norm='none'))))

custom_hooks = _base_.custom_hooks + [
    dict(type='DrLocLambdaHook', warmup_epochs=20, decay_end_epoch=300)
]
randomness = dict(seed=0, diff_rank_seed=True)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/top1', rule='greater'))
