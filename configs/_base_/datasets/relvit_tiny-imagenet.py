# Tiny ImageNet for RelViT: 64 px, patch 8 -> 8x8 tokens, RandomCrop(64,
# pad 4) + horizontal flip, batch 256, the val split (50 per class) as
# validation set. Read as a CustomDataset from class folders:
#   data/tiny-imagenet-200/train/<wnid>/images/*.JPEG   (as distributed)
#   data/tiny-imagenet-200/val/<wnid>/*.JPEG
# the distributed val/images/*.JPEG are moved into val/<wnid>/ following
# val/val_annotations.txt (file name, wnid, box).
dataset_type = 'CustomDataset'
data_preprocessor = dict(
    num_classes=200,
    # usual Tiny ImageNet training-set statistics, RGB
    mean=[122.45, 114.26, 101.36],
    std=[70.64, 68.62, 71.94],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=64, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
upstream_pipeline = train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=8),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root='data/tiny-imagenet-200',
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root='data/tiny-imagenet-200',
        data_prefix='val',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
