# ImageNet-100 (the 100 classes of CMC / DrLoc's imagenet-100.lst; 126,689 /
# 5,000 images) at 224 px with the Swin / DrLoc recipe, 8 x 128 images, read
# from class folders data/imagenet100/{train,val}/<wnid>/*.JPEG.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

dataset_type = 'CustomDataset'
data_preprocessor = dict(num_classes=100)

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/imagenet100',
        data_prefix='train',
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/imagenet100',
        data_prefix='val',
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
