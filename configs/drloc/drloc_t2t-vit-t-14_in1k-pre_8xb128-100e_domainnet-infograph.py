_base_ = [
    '../_base_/models/drloc_t2t-vit-t-14.py',
    '../_base_/datasets/drloc_domainnet_bs128_224.py',
    '../_base_/schedules/drloc_bs1024_adamw-ft_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=_base_.in1k_backbone,
    head=dict(num_classes=345),
    aux_heads=dict(drloc=_base_.drloc_head))
train_dataloader = dict(dataset=dict(ann_file='infograph_train.txt'))
val_dataloader = dict(dataset=dict(ann_file='infograph_test.txt'))
test_dataloader = val_dataloader
