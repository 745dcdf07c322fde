auto_scale_lr = dict(base_batch_size=64)
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='AtomicCheckpointHook'),
]
custom_imports = dict(
    allow_failed_imports=False,
    imports=[
        'mmrelvit.models',
        'mmrelvit.datasets',
        'mmrelvit.engine',
    ])
data_preprocessor = dict(
    mean=[
        78.98,
        78.98,
        78.98,
    ],
    num_classes=10,
    std=[
        89.06,
        89.06,
        89.06,
    ],
    to_rgb=False)
data_root = 'data/digits/cls/'
dataset_type = 'CustomDataset'
default_hooks = dict(
    checkpoint=dict(
        _scope_='mmpretrain',
        interval=100,
        max_keep_ckpts=1,
        type='CheckpointHook'),
    logger=dict(_scope_='mmpretrain', interval=10, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmpretrain', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmpretrain', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmpretrain', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmpretrain', enable=False, type='VisualizationHook'))
default_scope = 'mmpretrain'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
launcher = 'none'
load_from = None
log_level = 'INFO'
metainfo = dict(classes=(
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
))
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=96, feedforward_channels=384, num_heads=3,
            num_layers=4),
        drop_path_rate=0.1,
        img_size=32,
        init_cfg=[
            dict(bias=0.0, layer='Linear', std=0.02, type='TruncNormal'),
            dict(bias=0.0, layer='LayerNorm', type='Constant', val=1.0),
        ],
        out_type='tokens',
        patch_size=4,
        type='TokenViT'),
    head=dict(
        in_channels=96,
        loss=dict(loss_weight=1.0, type='CrossEntropyLoss'),
        num_classes=10,
        type='VisionTransformerClsHead'),
    neck=None,
    type='AuxSSLClassifier')
optim_wrapper = dict(
    clip_grad=dict(max_norm=1.0),
    optimizer=dict(lr=0.001, type='AdamW', weight_decay=0.1))
param_scheduler = [
    dict(
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=100,
        type='RelViTLR',
        warmup_ratio=0.1),
]
randomness = dict(deterministic=False, seed=0)
resume = False
test_cfg = dict()
test_dataloader = dict(
    batch_size=128,
    dataset=dict(
        ann_file='meta/val.txt',
        data_root='/work/main/data/digits/cls/',
        metainfo=dict(
            classes=(
                '0',
                '1',
                '2',
                '3',
                '4',
                '5',
                '6',
                '7',
                '8',
                '9',
            )),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='PackInputs'),
        ],
        type='CustomDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(topk=(1, ), type='Accuracy')
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        ann_file='meta/train.txt',
        data_root='/work/main/data/digits/cls/',
        metainfo=dict(
            classes=(
                '0',
                '1',
                '2',
                '3',
                '4',
                '5',
                '6',
                '7',
                '8',
                '9',
            )),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(crop_size=32, padding=2, type='RandomCrop'),
            dict(type='PackInputs'),
        ],
        type='CustomDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(crop_size=32, padding=2, type='RandomCrop'),
    dict(type='PackInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=128,
    dataset=dict(
        ann_file='meta/val.txt',
        data_root='/work/main/data/digits/cls/',
        metainfo=dict(
            classes=(
                '0',
                '1',
                '2',
                '3',
                '4',
                '5',
                '6',
                '7',
                '8',
                '9',
            )),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='PackInputs'),
        ],
        type='CustomDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(topk=(1, ), type='Accuracy')
vis_backends = [
    dict(_scope_='mmpretrain', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmpretrain',
    type='UniversalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = '/work/main/docs/small_data_runs/sweep_digits/e100_lr0.001_wd0.1_wu0.1/seed0'
