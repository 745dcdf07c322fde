# Mask R-CNN + FPN with the digits ViT (patch 4) on the embedded digit
# scenes (bbox + segm): the App. D recipe (AdamW 1e-4, wd 0.05, 12 epochs, lr
# x0.1 at epochs 8 and 11) at batch 8 with 100 warm-up iterations, no
# multi-scale (the scenes are 64x64), one lr for all parameters (see the
# model base) and CPU-sized heads. The backbone is the supervised digits
# classifier; -relvit-pre / -drloc-pre change only that checkpoint,
# -relvit-joint / -drloc-joint add the SSL heads.

_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/models/det_vit-tiny-p4_digits.py',
    '../_base_/datasets/digits-det_coco-instance.py',
    '../_base_/schedules/det_adamw_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/det_runtime.py',
]

model = dict(
    data_preprocessor=_base_.det_data_preprocessor,
    backbone=_base_.det_backbone,
    neck=_base_.det_neck,
    rpn_head=_base_.det_rpn_head,
    roi_head=dict(
        bbox_roi_extractor=_base_.det_roi_extractor,
        bbox_head=_base_.det_bbox_head,
        mask_roi_extractor=_base_.det_roi_extractor,
        mask_head=_base_.det_mask_head),
    train_cfg=dict(
        rpn_proposal=_base_.det_proposals,
        rcnn=dict(sampler=_base_.det_rcnn_sampler)),
    test_cfg=dict(
        rpn=_base_.det_proposals,
        rcnn=dict(max_per_img=_base_.det_max_per_img)))

param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=100),
    dict(
        type='MultiStepLR',
        begin=0,
        end=12,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0, deterministic=False)
