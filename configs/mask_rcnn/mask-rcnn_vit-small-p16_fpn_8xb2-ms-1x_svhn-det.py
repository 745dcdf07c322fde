# Mask R-CNN + FPN with a ViT-S/16 backbone on SVHN digit detection (boxes
# only: the mask branch is off). DrLoc App. D recipe: AdamW 1e-4, wd 0.05,
# batch 16 (8 GPUs x 2), 1x schedule, multi-scale training (shorter side
# 480-800). The backbone is the supervised ImageNet-1K checkpoint of
# mmpretrain's model zoo; the -relvit*-pre / -drloc-pre configs change only
# that checkpoint, -relvit-joint / -drloc-joint add the SSL heads (Upstream
# off).

_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/models/det_vit-small-p16_pyramid-fpn.py',
    '../_base_/datasets/svhn-det_ms-480-800.py',
    '../_base_/schedules/det_adamw_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/det_runtime.py',
]

model = dict(
    backbone=_base_.det_backbone,
    neck=_base_.det_neck,
    roi_head=dict(
        bbox_head=dict(num_classes=10),
        mask_roi_extractor=None,
        mask_head=None))
