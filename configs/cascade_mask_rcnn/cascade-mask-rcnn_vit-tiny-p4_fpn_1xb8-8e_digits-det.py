# Cascade Mask R-CNN + FPN with the digits ViT (patch 4) on the embedded digit
# scenes (bbox + segm). The digits recipe: anchors fitted to the digits and
# CPU-sized heads (model base), AdamW (App. D, weight decay 0.05) at lr 1e-3
# for all parameters, batch 8, 8 epochs = 1,000 iterations (100 warm-up
# iterations, lr x0.1 at epochs 5 and 7), no multi-scale (the scenes are
# 64x64); evaluated once, after the last epoch. The lr comes from a sweep of
# the supervised Mask R-CNN (configs/mask_rcnn/README.md). The
# backbone is the supervised digits classifier; -relvit-pre / -drloc-pre
# change only that checkpoint, -relvit-joint / -drloc-joint add the SSL
# heads.

_base_ = [
    'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py',
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
        bbox_head=[
            dict(head, **_base_.det_bbox_head)
            for head in _base_.model.roi_head.bbox_head
        ],
        mask_roi_extractor=_base_.det_roi_extractor,
        mask_head=_base_.det_mask_head),
    train_cfg=dict(
        rpn_proposal=_base_.det_proposals,
        rcnn=[
            dict(
                stage,
                sampler=dict(stage.sampler, **_base_.det_rcnn_sampler))
            for stage in _base_.model.train_cfg.rcnn
        ]),
    test_cfg=dict(
        rpn=_base_.det_proposals,
        rcnn=dict(max_per_img=_base_.det_max_per_img)))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
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
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0, deterministic=False)
