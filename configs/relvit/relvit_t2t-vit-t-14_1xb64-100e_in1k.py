# RelViT self-supervised upstream (reference upstream.sh): T2T-ViT-t-14 on
# ImageNet-1K without labels, spatial-relation + absolute-position heads,
# per-patch augmentation of the 32 px cells, no patch permutation (T2T-ViT adds
# a fixed sinusoidal position embedding, so AbsPos is trivial here; see
# relvit-perm_*).
_base_ = './relvit-joint_t2t-vit-t-14_1xb64-100e_in1k.py'

model = dict(head=None)

train_dataloader = dict(dataset=dict(pipeline=_base_.upstream_pipeline))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
