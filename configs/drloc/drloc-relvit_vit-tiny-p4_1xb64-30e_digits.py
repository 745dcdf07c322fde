# RelViT and DrLoc side by side on the digits ViT: spatial-relation (SpRel)
# and absolute-position (AbsPos) heads from RelViT plus the DrLoc head, all
# on the same 8x8 patch grid, jointly with the classifier. Each task logs
# its own loss (loss_cls, loss_relation, loss_position, loss_drloc). As in
# RelViT's joint mode, positional embeddings stay on and patches are not
# shuffled.
_base_ = [
    '../_base_/models/vit-tiny-p4_digits.py',
    '../_base_/datasets/digits_bs64.py',
    '../_base_/schedules/digits_adamw_30e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    aux_heads=dict(
        relation=dict(type='PatchRelationHead', in_channels=96),
        position=dict(type='AbsPositionHead', in_channels=96, num_patches=64),
        drloc=dict(
            type='DrLocHead',
            in_channels=96,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1),
            init_cfg=None)))
