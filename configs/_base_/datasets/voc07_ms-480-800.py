# Pascal VOC 2007 (boxes only): trained on trainval (5,011 images), tested on
# test (4,952), read from the VOCdevkit XML files. Multi-scale training as
# the COCO configs (DrLoc App. D); evaluation at (1333, 800).
#
# Metrics: COCO-style mAP / mAP_50 / mAP_75 (CocoMetric, what the RelViT
# detection note's Tab. 2 reports; 'difficult' objects are crowd regions,
# i.e. ignored) and the VOC 2007 11-point mAP at IoU 0.5 (VOCMetric).
# CocoMetric builds its ground truth from the samples' `instances`.
_base_ = './bbox-det_ms-480-800.py'

dataset_type = 'CheckedVOCDataset'
data_root = 'data/VOCdevkit/'

test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    # avoid bboxes being resized
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'instances'))
]
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32)))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='CocoMetric', metric='bbox', backend_args=_base_.backend_args),
    dict(type='VOCMetric', metric='mAP', eval_mode='11points'),
]
test_evaluator = val_evaluator
