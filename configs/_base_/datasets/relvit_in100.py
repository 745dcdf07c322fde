# ImageNet-100 (the 100-class ImageNet subset of CMC) for RelViT: the
# ImageNet-1K pipelines, 7x7 tokens of 32 px, batch 256. Read as a
# CustomDataset from class folders:
#   data/imagenet100/train/<wnid>/*.JPEG   (~1,300 per class)
#   data/imagenet100/val/<wnid>/*.JPEG     (50 per class)
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64.py'

dataset_type = 'CustomDataset'
data_preprocessor = dict(num_classes=100)

upstream_pipeline = _base_.train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=32),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=256,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/imagenet100',
        data_prefix='train',
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=256,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/imagenet100',
        data_prefix='val',
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
