# The backbone from the DrLoc pretraining (cross-entropy + lambda L_drloc).
_base_ = './cascade-mask-rcnn_t2t-vit-t-14_fpn_8xb2-ms-1x_voc07.py'

checkpoint = 'work_dirs/drloc_t2t-vit-t-14_8xb128-300e_in1k/epoch_300.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
