# RelViT self-supervised upstream (reference upstream.sh): Swin-T on CIFAR-10
# at 224 px without labels, spatial-relation + absolute-position heads,
# per-patch augmentation of the 32 px cells, no patch permutation (Swin-T has
# no absolute position embedding, so the position cues are its window borders;
# see relvit-perm_*).
_base_ = './relvit-joint_swin-tiny-p4-w7_1xb64-100e_cifar10-224px.py'

model = dict(head=None)

train_dataloader = dict(dataset=dict(pipeline=_base_.upstream_pipeline))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
