# CIFAR-100 for RelViT: 32 px, patch 4 -> 8x8 tokens, RandomCrop(32, pad 4)
# + horizontal flip, batch 256, the test split as validation set.
_base_ = 'mmpretrain::_base_/datasets/cifar100_bs16.py'

upstream_pipeline = _base_.train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=4, channel_order='rgb'),
    dict(type='PackInputs'),
]

train_dataloader = dict(batch_size=256)
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
