# CIFAR-100 (50k / 10k) with the recipe of drloc_cifar10_bs128_224.py (the
# Swin recipe that DrLoc uses for every data set, resized to 224 px, 8 x 128
# images); only the data set and its 100 classes differ.
_base_ = './drloc_cifar10_bs128_224.py'

dataset_type = 'CIFAR100'
data_preprocessor = dict(num_classes=100)

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root='data/cifar100'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root='data/cifar100'))
test_dataloader = val_dataloader
