# The backbone from the DrLoc pretraining (cross-entropy + lambda L_drloc).
_base_ = './mask-rcnn_swin-tiny-p4-w7_fpn_8xb2-ms-1x_voc07.py'

checkpoint = 'work_dirs/drloc_swin-tiny-p4-w7_8xb128-300e_in1k/epoch_300.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
