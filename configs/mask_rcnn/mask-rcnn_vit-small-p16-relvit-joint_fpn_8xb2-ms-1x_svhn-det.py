# The supervised-pretrained backbone; the RelViT spatial-relation +
# absolute-position heads trained jointly with the detector on the final token
# grid (Upstream off).
_base_ = './mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_svhn-det.py'

model = _base_.relvit_joint
