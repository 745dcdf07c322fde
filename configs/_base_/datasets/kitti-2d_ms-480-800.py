# KITTI 2D object detection (boxes only) as COCO json: the 7,481 labelled
# images of training/ split at random 75 % / 25 % (RelViT detection note) by
#   python tools/dataset_converters/kitti2coco.py data/kitti \
#       --out-dir data/kitti/annotations
# which keeps the eight object classes of label_2 (DontCare dropped).
# Multi-scale training as the COCO configs (DrLoc App. D); KITTI's 1242x375
# frames are bounded by the 1333 px longer side.
_base_ = './bbox-det_ms-480-800.py'

data_root = 'data/kitti/'
metainfo = dict(
    classes=('Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist',
             'Tram', 'Misc'))

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/kitti_train.json',
        data_prefix=dict(img='training/image_2/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32)))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/kitti_val.json',
        data_prefix=dict(img='training/image_2/')))
test_dataloader = val_dataloader

val_evaluator = dict(ann_file=data_root + 'annotations/kitti_val.json')
test_evaluator = val_evaluator
