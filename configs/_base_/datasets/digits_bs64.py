# scikit-learn's real handwritten digits, upscaled to 32x32; generate with
#   python tools/dataset_converters/make_digits.py --out data/digits
dataset_type = 'CustomDataset'
data_root = 'data/digits/cls/'
metainfo = dict(classes=tuple(str(i) for i in range(10)))

data_preprocessor = dict(
    num_classes=10,
    # statistics of the generated training split (grayscale as RGB)
    mean=[78.98] * 3,
    std=[89.06] * 3,
    to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # no flips: a mirrored digit is another symbol
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        metainfo=metainfo,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        metainfo=metainfo,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
