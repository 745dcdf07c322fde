# UperNet + ViT-S/16 on ADE20K with the Swin-T recipe of DrLoc App. D.2
# (AdamW 6e-5, wd 0.01, 1,500 warm-up iterations + poly over 160k, 8 GPUs x
# 2 images, stochastic depth 0.2). The four stride-16 maps of blocks 3, 6, 9
# and 12 go through mmseg's MultiLevelNeck (scales 4, 2, 1, 0.5 -> strides 4,
# 8, 16, 32). Everything but the backbone comes from mmseg's DeiT-S config.
_base_ = [
    'mmseg::vit/vit_deit-s16_mln_upernet_8xb2-160k_ade20k-512x512.py',
    '../_base_/upernet_runtime.py'
]

# Supervised ImageNet-1K DeiT-S of mmpretrain's model zoo (an ImageClassifier
# checkpoint, hence prefix='backbone.'; pos_embed is resized from 14x14 to
# 32x32 on load). The -relvit-pre / -drloc-pre configs change only this
# checkpoint.
checkpoint = 'https://download.openmmlab.com/mmclassification/v0/deit/deit-small_pt-4xb256_in1k_20220218-9425b9bb.pth'  # noqa
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmpretrain.VisionTransformer',
        arch='deit-small',
        img_size=512,
        patch_size=16,
        out_type='featmap',
        out_indices=(2, 5, 8, 11),
        drop_path_rate=0.2,
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')))

# mmpretrain names the ViT LayerNorms ln1/ln2 (mmseg's 'norm' key misses
# them): keep them out of weight decay like the other norms.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'.ln': dict(decay_mult=0.)}))

# Same files and pipelines; the data set is checked when it is built.
train_dataloader = dict(dataset=dict(type='CheckedADE20KDataset'))
val_dataloader = dict(dataset=dict(type='CheckedADE20KDataset'))
test_dataloader = val_dataloader
