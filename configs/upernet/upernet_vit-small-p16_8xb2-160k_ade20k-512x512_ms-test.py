# Multi-scale + flip testing of DrLoc App. D.2 for any UperNet vit-small-p16
# checkpoint (the pretraining source does not matter at test time): the test
# scale (2048, 512) times {0.5, 0.75, 1.0, 1.25, 1.5, 1.75}, each also
# flipped, as mmseg 0.x's MultiScaleFlipAug(img_ratios=...) did; SegTTAModel
# averages the 12 softmax maps. Test-only:
#   python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = './upernet_vit-small-p16_8xb2-160k_ade20k-512x512.py'

img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(
                    type='Resize',
                    scale=(int(2048 * r), int(512 * r)),
                    keep_ratio=True) for r in img_ratios
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
model = dict(_delete_=True, type='SegTTAModel', module=_base_.model)
test_dataloader = dict(dataset=dict(pipeline=tta_pipeline))
