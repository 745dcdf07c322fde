_base_ = [
    '../_base_/models/drloc_swin-tiny-p4-w7.py',
    '../_base_/datasets/drloc_domainnet_bs128_224.py',
    '../_base_/schedules/drloc_bs1024_adamw_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=345))
train_dataloader = dict(dataset=dict(ann_file='infograph_train.txt'))
val_dataloader = dict(dataset=dict(ann_file='infograph_test.txt'))
test_dataloader = val_dataloader
