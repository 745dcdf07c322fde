# CIFAR-10 upsampled to 224 px for Swin-T and T2T-ViT-14 (reference
# `cifar10_224`): RandomResizedCrop(224) + horizontal flip, Resize(224, 224)
# for evaluation, 7x7 label cells of 32 px, batch 64.
_base_ = 'mmpretrain::_base_/datasets/cifar10_bs16.py'

# the reference's statistics (constants.py): std (0.2470, 0.2435, 0.2616)
data_preprocessor = dict(std=[62.985, 62.093, 66.708])

train_pipeline = [
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
upstream_pipeline = train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=32, channel_order='rgb'),
    dict(type='PackInputs'),
]
perm_upstream_pipeline = upstream_pipeline[:-1] + [
    dict(type='PatchPermute', patch_size=32),
    dict(
        type='PackInputs',
        meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'flip', 'flip_direction', 'patch_perm')),
]
test_pipeline = [
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs'),
]

train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
