# T2T-ViT-14 for DrLoc at 224 px. mmpretrain only has the transformer T2T
# module, i.e. T2T-ViT_t-14 (DrLoc used the performer T2T-ViT-14). The
# backbone yields (patch grid 14x14x384, class token) after the final norm;
# the class token feeds the head and the grid is pooled to 7x7 for DrLoc
# with the authors' AvgPool2d(3, 2, 1, count_include_pad=False).
_base_ = 'mmpretrain::_base_/models/t2t-vit-t-14.py'

model = dict(
    type='AuxSSLClassifier',
    # DrLoc's build never passes drop_path_rate to T2T (mmpretrain: 0.1)
    backbone=dict(type='TokenT2TViT', out_type='tokens', drop_path_rate=0.),
    grid_pool=dict(
        type='AvgPool2d',
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=False),
    # trunc-normal for every Linear, the DrLoc MLP included (authors' T2T)
    init_cfg=dict(type='TruncNormal', layer='Linear', std=.02, bias=0.))

drloc_head = dict(
    type='DrLocHead',
    in_channels=384,
    loss=dict(type='DrLocL1Loss', loss_weight=0.1),
    init_cfg=None)

# mmpretrain's ImageNet-1K T2T-ViT_t-14 (81.83 top-1).
in1k_backbone = dict(
    init_cfg=dict(
        _delete_=True,
        type='Pretrained',
        checkpoint='https://download.openmmlab.com/mmclassification/v0/'
        't2t-vit/t2t-vit-t-14_8xb64_in1k_20211220-f7378dd5.pth',
        prefix='backbone.'))
