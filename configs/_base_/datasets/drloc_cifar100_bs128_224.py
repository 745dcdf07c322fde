# CIFAR-100 (50k / 10k) resized to 224 px with the Swin recipe that DrLoc
# uses for every data set (RandomResizedCrop, RandAugment m9-mstd0.5,
# RandomErasing 0.25; test: resize 256 + center crop 224), 8 x 128 images.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

dataset_type = 'CIFAR100'
# mmpretrain's CIFAR yields in-memory RGB arrays: nothing to load, no
# channel swap, and the pad / erase colours in RGB order.
rgb_mean = [123.675, 116.28, 103.53]
rgb_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(num_classes=100, to_rgb=False)

train_pipeline = _base_.train_pipeline[1:]
train_pipeline[2]['hparams']['pad_val'] = [round(x) for x in rgb_mean]
train_pipeline[3].update(fill_color=rgb_mean, fill_std=rgb_std)
test_pipeline = _base_.test_pipeline[1:]

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        type=dataset_type, data_root='data/cifar100', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root='data/cifar100',
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
