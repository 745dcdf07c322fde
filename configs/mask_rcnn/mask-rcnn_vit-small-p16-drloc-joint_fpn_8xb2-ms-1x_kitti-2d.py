# The supervised-pretrained backbone; the DrLoc head trained jointly with the
# detector on the final token grid (Upstream off).
_base_ = './mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_kitti-2d.py'

model = _base_.drloc_joint
