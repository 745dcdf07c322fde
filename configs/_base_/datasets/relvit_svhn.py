# SVHN (cropped digits) for RelViT: 32 px, patch 4 -> 8x8 tokens (the
# reference has no image size for svhn and stops with a KeyError). mmpretrain
# has no SVHN class; it is read as a CustomDataset from class folders:
#   data/svhn/train/{0..9}/*.png   (73,257 images of train_32x32.mat)
#   data/svhn/test/{0..9}/*.png    (26,032 images of test_32x32.mat)
# (the .mat label 10 is digit 0). extra_32x32.mat is not used.
dataset_type = 'CustomDataset'
data_preprocessor = dict(
    num_classes=10,
    # usual SVHN training-set statistics, RGB
    mean=[111.61, 113.16, 120.57],
    std=[50.50, 51.26, 50.24],
    to_rgb=True)

# no flips: a mirrored digit is another symbol
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='PackInputs'),
]
upstream_pipeline = train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=4),
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
        data_root='data/svhn',
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root='data/svhn',
        data_prefix='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
