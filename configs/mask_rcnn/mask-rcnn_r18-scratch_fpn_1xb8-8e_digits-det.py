# Reference point for the digits ViT detectors: stock mmdet Mask R-CNN + FPN
# (its anchors, heads and SGD recipe) with a ResNet-18 trained from scratch
# on the same digit scenes, 8 epochs = 1,000 iterations at batch 8, SGD lr
# 0.01 (mmdet's 0.02 at batch 16), lr x0.1 at epochs 5 and 7 (the 1x steps
# scaled to 8 epochs). BN layers train (norm_eval=False): from scratch there
# are no statistics to freeze. The bases are those of mmdet's
# mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py with the digit scenes in place of
# COCO (mmengine refuses a key defined by two bases).

_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/digits-det_coco-instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/det_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512]),
    roi_head=dict(
        bbox_head=dict(num_classes=10), mask_head=dict(num_classes=10)))

train_cfg = dict(max_epochs=8, val_interval=8)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=100),
    dict(
        type='MultiStepLR',
        begin=0,
        end=8,
        by_epoch=True,
        milestones=[5, 7],
        gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0, deterministic=False)
