# Small-data study, supervised arm: a tiny ViT trained from scratch on a
# fixed, class-balanced 2,000-image subset of Fashion-MNIST, evaluated on the
# full 10,000-image test set after every epoch. Every other arm of the study
# (DrLoc, joint RelViT, RelViT upstream -> finetune) inherits this file, so
# they share model, data, augmentation and schedule.
#
# Data: the Debian package `dataset-fashion-mnist` (IDX files in
# /usr/share/datasets/fashion-mnist). Driver:
#   python tools/analysis_tools/small_data_study.py   (see docs/small_data.md)
_base_ = ['../_base_/default_runtime.py']

num_train = 2000
max_epochs = 30
embed_dims = 64

model = dict(
    type='AuxSSLClassifier',
    backbone=dict(
        type='TokenViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=4,
            num_heads=4,
            feedforward_channels=4 * embed_dims),
        img_size=28,
        patch_size=4,  # 7x7 token grid, RelViT's grid size
        in_channels=1,
        drop_path_rate=0.1,
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=10,
        in_channels=embed_dims,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    data_preprocessor=dict(
        num_classes=10,
        # Fashion-MNIST training-set statistics
        mean=[72.94],
        std=[90.02],
        to_rgb=False))

dataset_type = 'FashionMNISTIDX'
data_root = '/usr/share/datasets/fashion-mnist'
train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        num_samples=num_train,
        subset_seed=0,  # the same images for every arm and seed
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# RelViT's optimiser and per-iteration schedule (10% linear warm-up, then a
# quarter cosine), the same for every arm.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.1),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(
        type='RelViTLR',
        warmup_ratio=0.1,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
