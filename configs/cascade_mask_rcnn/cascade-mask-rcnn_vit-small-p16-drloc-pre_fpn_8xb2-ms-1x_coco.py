# The backbone from the DrLoc pretraining (cross-entropy + lambda L_drloc).
_base_ = './cascade-mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_coco.py'

checkpoint = 'work_dirs/drloc_vit-small-p16_8xb128-300e_in1k/epoch_300.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
