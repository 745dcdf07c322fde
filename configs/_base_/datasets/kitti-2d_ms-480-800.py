# KITTI 2D object detection (boxes only) as COCO json: the 7,481 labelled
# images of training/ split at random 75 % / 25 % (RelViT detection note) by
#   python tools/dataset_converters/kitti2coco.py data/kitti \
#       --out-dir data/kitti/annotations
# which keeps the eight object classes of label_2 (DontCare dropped).
# Multi-scale training as the COCO configs (DrLoc App. D); KITTI's 1242x375
# frames are bounded by the 1333 px longer side.
dataset_type = 'CocoDataset'
data_root = 'data/kitti/'
backend_args = None
metainfo = dict(
    classes=('Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting',
             'Cyclist', 'Tram', 'Misc'))

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomChoiceResize',
        scales=[(1333, 480), (1333, 512), (1333, 544), (1333, 576),
                (1333, 608), (1333, 640), (1333, 672), (1333, 704),
                (1333, 736), (1333, 768), (1333, 800)],
        keep_ratio=True),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/kitti_train.json',
        data_prefix=dict(img='training/image_2/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/kitti_val.json',
        data_prefix=dict(img='training/image_2/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/kitti_val.json',
    metric='bbox',
    backend_args=backend_args)
test_evaluator = val_evaluator
