# The digits ViT (configs/_base_/models/vit-tiny-p4_digits.py: 96-d, 4
# layers, 3 heads, patch 4) for detection on 64x64 digit scenes. Its
# stride-4 grid (16x16) goes through ViTPyramidNeck with scales 1, 1/2, 1/4,
# 1/8 (strides 4/8/16/32, 96 channels each) and FPN. A 32 px digit covers
# 8x8 patches as in pretraining; pos_embed is resized from the 8x8
# pretraining grid to 16x16 when the checkpoint is loaded.
#
# The heads are CPU-sized: 64-channel FPN maps (256 in mmdet), a 256-d box
# MLP (1024), 64-channel mask convs (256) and 128 sampled RoIs per image
# (512); with at most three digits per scene, 300 proposals and 20
# detections per image are plenty.
#
# Anchors fit the digits (boxes 6-33 px wide, 20-40 px high, h/w ~1.5):
# mmdet's single scale 8 (32 px at stride 4) with ratios 0.5/1/2 leaves 19 %
# of the boxes without an anchor of IoU >= 0.3 (median best IoU 0.46);
# scales 4 and 6 (16 / 24 px at stride 4, 32 / 48 px at stride 8) with
# h/w ratios 1, 1.5, 2.5 give every box an anchor of IoU >= 0.5 (median
# 0.76, 81 % >= 0.7; tools/analysis_tools/anchor_coverage.py).
#
# Variables only, no `model` (see det_vit-small-p16_pyramid-fpn.py).

# Written by
#   python tools/train.py configs/vit/vit-tiny-p4_1xb64-30e_digits.py
pretrained = 'work_dirs/vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'

det_backbone = dict(
    _delete_=True,
    type='mmpretrain.VisionTransformer',
    arch=dict(
        embed_dims=96, num_layers=4, num_heads=3, feedforward_channels=384),
    img_size=64,
    patch_size=4,
    out_type='featmap',
    out_indices=-1,
    drop_path_rate=0.1,
    init_cfg=dict(
        type='Pretrained', checkpoint=pretrained, prefix='backbone.'))

det_neck = [
    dict(
        type='mmpretrain.ViTPyramidNeck',
        in_channels=96,
        scales=(1, 0.5, 0.25, 0.125)),
    dict(
        type='FPN', in_channels=[96, 96, 96, 96], out_channels=64,
        num_outs=5),
]
det_rpn_head = dict(
    in_channels=64,
    feat_channels=64,
    anchor_generator=dict(scales=[4, 6], ratios=[1.0, 1.5, 2.5]))
det_roi_extractor = dict(out_channels=64)
det_bbox_head = dict(in_channels=64, fc_out_channels=256, num_classes=10)
det_mask_head = dict(in_channels=64, conv_out_channels=64, num_classes=10)
det_rcnn_sampler = dict(num=128)
# One lr for backbone, neck and heads (the leaves' App. D recipe): with the
# neck and heads at 10x, the unnormalised FPN features grew to thousands and
# the box head's ReLUs died (1 of 256 units of shared_fcs.1 ever active on
# the validation scenes, every RoI scored 0.068 for every class: a constant
# classifier; docs/small_data.md).
det_proposals = dict(max_per_img=300)
det_max_per_img = 20

# Normalisation of the digits pretraining (configs/_base_/datasets/
# digits_bs64.py: statistics of the 32x32 train digits, grey as RGB).
det_data_preprocessor = dict(
    mean=[78.98, 78.98, 78.98], std=[89.06, 89.06, 89.06], bgr_to_rgb=False)

# Joint SSL: the heads read the 32x32 grid pooled to the 8x8 grid of 32 px
# pretraining.
relvit_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=8),
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=96),
        position=dict(type='AbsPositionHead', in_channels=96,
                      num_patches=64)))
drloc_joint = dict(
    type='AuxSSLTwoStageDetector',
    grid_pool=dict(type='AdaptiveAvgPool2d', output_size=8),
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=96,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
