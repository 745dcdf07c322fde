# ImageNet-1K with mmpretrain's Swin recipe at DrLoc's 8 x 128 images.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

train_dataloader = dict(batch_size=128)
