# DomainNet (345 classes) at 224 px with the Swin / DrLoc recipe, 8 x 128
# images, read through the official lists "<domain>/<class>/<file> <label>"
# in data/domainnet/<domain>_{train,test}.txt (the test list is the
# validation set, as in DrLoc). The per-domain leaves set the two lists.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

dataset_type = 'CustomDataset'
data_preprocessor = dict(num_classes=345)

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/domainnet',
        ann_file='real_train.txt',
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root='data/domainnet',
        ann_file='real_test.txt',
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
