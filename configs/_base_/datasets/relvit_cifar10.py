# CIFAR-10 for RelViT (reference utils.py / transforms.py): 32 px, patch 4
# -> 8x8 tokens, RandomCrop(32, pad 4) + horizontal flip, batch 256, the
# test split as validation set. mmpretrain's CIFAR10 holds RGB arrays.
_base_ = 'mmpretrain::_base_/datasets/cifar10_bs16.py'

# the reference's statistics (constants.py): std (0.2470, 0.2435, 0.2616)
data_preprocessor = dict(std=[62.985, 62.093, 66.708])

# upstream: per-patch crop + colour jitter + grayscale after the image
# augmentation (reference shuffle_dataset.py), on pixels, before Normalize
upstream_pipeline = _base_.train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=4, channel_order='rgb'),
    dict(type='PackInputs'),
]

train_dataloader = dict(batch_size=256)
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
