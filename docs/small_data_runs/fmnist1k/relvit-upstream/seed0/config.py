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
data_root = '/usr/share/datasets/fashion-mnist'
dataset_type = 'FashionMNISTIDX'
default_hooks = dict(
    checkpoint=dict(
        _scope_='mmpretrain',
        interval=600,
        max_keep_ckpts=1,
        type='CheckpointHook'),
    logger=dict(_scope_='mmpretrain', interval=10, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmpretrain', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmpretrain', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmpretrain', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmpretrain', enable=False, type='VisualizationHook'))
default_scope = 'mmpretrain'
embed_dims = 64
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
launcher = 'none'
load_from = None
log_level = 'INFO'
max_epochs = 30
model = dict(
    aux_heads=dict(
        position=dict(in_channels=64, num_patches=49, type='AbsPositionHead'),
        relation=dict(
            in_channels=64, task='relation', type='PatchRelationHead')),
    backbone=dict(
        arch=dict(
            embed_dims=64, feedforward_channels=256, num_heads=4,
            num_layers=4),
        drop_path_rate=0.1,
        img_size=28,
        in_channels=1,
        init_cfg=[
            dict(bias=0.0, layer='Linear', std=0.02, type='TruncNormal'),
            dict(bias=0.0, layer='LayerNorm', type='Constant', val=1.0),
        ],
        patch_size=4,
        type='TokenViT',
        use_pos_embed=False),
    data_preprocessor=dict(
        mean=[
            72.94,
        ], num_classes=10, std=[
            90.02,
        ], to_rgb=False),
    head=None,
    type='AuxSSLClassifier')
num_train = 2000
optim_wrapper = dict(
    clip_grad=dict(max_norm=1.0),
    optimizer=dict(lr=0.002, type='AdamW', weight_decay=0.1))
param_scheduler = [
    dict(
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=600,
        type='RelViTLR',
        warmup_ratio=0.1),
]
randomness = dict(deterministic=False, seed=0)
resume = False
test_cfg = None
test_dataloader = None
test_evaluator = None
test_pipeline = [
    dict(type='PackInputs'),
]
train_cfg = dict(by_epoch=True, max_epochs=600, val_interval=30)
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_root='/usr/share/datasets/fashion-mnist',
        num_samples=1000,
        pipeline=[
            dict(crop_size=28, padding=2, type='RandomCrop'),
            dict(direction='horizontal', prob=0.5, type='RandomFlip'),
            dict(patch_size=4, type='PatchAugment'),
            dict(type='PackInputs'),
        ],
        split='train',
        subset_seed=0,
        type='FashionMNISTIDX'),
    num_workers=0,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(crop_size=28, padding=2, type='RandomCrop'),
    dict(direction='horizontal', prob=0.5, type='RandomFlip'),
    dict(patch_size=4, type='PatchAugment'),
    dict(type='PackInputs'),
]
val_cfg = None
val_dataloader = None
val_evaluator = None
vis_backends = [
    dict(_scope_='mmpretrain', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmpretrain',
    type='UniversalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = '/work/main/docs/small_data_runs/fmnist1k/relvit-upstream/seed0'
