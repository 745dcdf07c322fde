# ResNet-50 for DrLoc at 224 px, trained with the same recipe as the
# transformers (AdamW, label smoothing 0.1, Mixup / CutMix), as DrLoc's code
# does. The DrLoc grid is layer4, 7x7x2048.
_base_ = 'mmpretrain::_base_/models/resnet50.py'

model = dict(
    type='AuxSSLClassifier',
    # torchvision's default, which DrLoc's ResNet-50 uses
    backbone=dict(zero_init_residual=False),
    head=dict(
        loss=dict(
            _delete_=True,
            type='LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original')),
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))

# The paper reports no lambda for ResNet; 0.5 is the code's default. The
# code's ResNet/CvT/ViT MLPs keep PyTorch's default init.
drloc_head = dict(
    type='DrLocHead',
    in_channels=2048,
    loss=dict(type='DrLocL1Loss', loss_weight=0.5),
    init_cfg=None)

# mmpretrain's ImageNet-1K ResNet-50 (76.55 top-1).
in1k_backbone = dict(
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/'
        'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
        prefix='backbone.'))
