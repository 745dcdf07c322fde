# The supervised-pretrained backbone; the RelViT spatial-relation +
# absolute-position heads trained jointly with the detector on the final token
# grid (Upstream off).
_base_ = './cascade-mask-rcnn_swin-tiny-p4-w7_fpn_8xb2-ms-1x_coco.py'

model = _base_.relvit_joint
