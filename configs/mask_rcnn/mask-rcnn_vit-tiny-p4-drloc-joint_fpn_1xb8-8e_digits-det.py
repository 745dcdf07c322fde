# The supervised-pretrained backbone; the DrLoc head trained jointly with the
# detector on the final token grid (Upstream off).
_base_ = './mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py'

model = _base_.drloc_joint
