# The backbone from the DrLoc pretraining (cross-entropy + lambda L_drloc).
_base_ = './cascade-mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py'

checkpoint = 'work_dirs/drloc_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
