# Swin-T for DrLoc at 224 px: mmpretrain's recipe model (drop path 0.2,
# label smoothing 0.1, Mixup 0.8 / CutMix 1.0) in the AuxSSLClassifier.
# The DrLoc grid is the last stage, 7x7x768, taken after the stage norm
# (``norm3``, what the classifier pools too); DrLoc's code taps it before
# that LayerNorm (configs/drloc/README.md).
_base_ = 'mmpretrain::_base_/models/swin_transformer/tiny_224.py'

model = dict(type='AuxSSLClassifier')

# Added by the "drloc_" leaves as ``aux_heads=dict(drloc=_base_.drloc_head)``.
# The model's trunc-normal init_cfg covers the DrLoc MLP, as in the authors'
# Swin.
drloc_head = dict(
    type='DrLocHead',
    in_channels=768,
    loss=dict(type='DrLocL1Loss', loss_weight=0.5),
    init_cfg=None)

# Backbone delta of the fine-tuning leaves (paper Tab. 5): mmpretrain's
# ImageNet-1K Swin-T (81.18 top-1).
in1k_backbone = dict(
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/'
        'swin-transformer/swin_tiny_224_b16x64_300e_imagenet_'
        '20210616_090925-66df6be6.pth',
        prefix='backbone.'))
