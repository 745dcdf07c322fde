# SVHN digit detection (format 1: house-number crops with per-digit boxes;
# boxes only), COCO json written by
#   python tools/dataset_converters/svhn2coco.py data/svhn \
#       --out-dir data/svhn/annotations
# Trained on train (33,402 images), tested on test (13,068). No flips: a
# mirrored digit is another symbol. The small crops are upscaled by the same
# multi-scale resize as the COCO configs (DrLoc App. D).
_base_ = './bbox-det_ms-480-800.py'

data_root = 'data/svhn/'
metainfo = dict(classes=('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))

# The shared pipeline without RandomFlip (see above).
train_pipeline = [
    t for t in _base_.train_pipeline if t['type'] != 'RandomFlip'
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/svhn_train.json',
        data_prefix=dict(img=''),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/svhn_test.json',
        data_prefix=dict(img='')))
test_dataloader = val_dataloader

val_evaluator = dict(ann_file=data_root + 'annotations/svhn_test.json')
test_evaluator = val_evaluator
