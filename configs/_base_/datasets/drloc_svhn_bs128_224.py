# SVHN (73,257 / 26,032; 'extra' unused) at 224 px with the Swin / DrLoc
# recipe, 8 x 128 images. mmpretrain has no SVHN class: the images are read
# from class folders data/svhn/{train,test}/{0..9}/*.png (configs/drloc/
# README.md shows the conversion from the official .mat files).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

dataset_type = 'CustomDataset'
data_preprocessor = dict(num_classes=10)
# Fixes label = digit, and fails loudly if a class folder is missing.
metainfo = dict(classes=tuple(str(i) for i in range(10)))

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/svhn',
        data_prefix='train',
        metainfo=metainfo,
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/svhn',
        data_prefix='test',
        metainfo=metainfo,
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
