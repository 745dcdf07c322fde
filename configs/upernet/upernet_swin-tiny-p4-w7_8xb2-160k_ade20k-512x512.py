# UperNet + Swin-T on ADE20K, DrLoc App. D.2 (the Swin recipe): AdamW 6e-5,
# wd 0.01, 1,500 linear warm-up iterations then poly (power 1) decay over
# 160k iterations, 8 GPUs x 2 images, stochastic depth 0.2, rescale 0.5-2.0 /
# crop 512 / flip / photometric distortion. Everything but the backbone comes
# from mmseg's own Swin-T config.
_base_ = [
    'mmseg::swin/'
    'swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py',
    '../_base_/upernet_runtime.py'
]

# Supervised ImageNet-1K Swin-T of mmpretrain's model zoo (an ImageClassifier
# checkpoint, hence prefix='backbone.'). The -relvit-pre / -drloc-pre configs
# change only this checkpoint.
checkpoint = 'https://download.openmmlab.com/mmclassification/v0/swin-transformer/swin_tiny_224_b16x64_300e_imagenet_20210616_090925-66df6be6.pth'  # noqa
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='tiny',
        img_size=224,
        out_indices=(0, 1, 2, 3),
        drop_path_rate=0.2,
        # pad maps smaller than a window (multi-scale testing, small inputs)
        # as mmseg's own Swin does, instead of asserting
        pad_small_map=True,
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))

# A classifier checkpoint has the output norm of stage 4 only: norm0-2 of
# the three extra UperNet inputs are new by design, which
# StrictPretrainedHook would report as missing. Until it can be told which
# keys are expected to be new, Swin configs rely on mmengine's log of
# missing keys.
custom_hooks = [dict(type='RNGStateHook'), dict(type='AtomicCheckpointHook')]

# Same files and pipelines; the data set is checked when it is built.
train_dataloader = dict(dataset=dict(type='CheckedADE20KDataset'))
val_dataloader = dict(dataset=dict(type='CheckedADE20KDataset'))
test_dataloader = val_dataloader
