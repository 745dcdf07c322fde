# Oxford Flowers-102 at 224 px with the Swin / DrLoc recipe, 8 x 128 images.
# mmpretrain's 'trainval' (2,040) / 'test' (6,149) split is DrLoc's.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

dataset_type = 'Flowers102'
data_preprocessor = dict(num_classes=102)

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        type=dataset_type, data_root='data/flowers102', split='trainval'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root='data/flowers102', split='test'))
test_dataloader = val_dataloader
