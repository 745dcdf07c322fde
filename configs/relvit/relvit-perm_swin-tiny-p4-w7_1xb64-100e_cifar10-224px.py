# RelViT upstream with patch permutation (RelViT detection note, "Perm."):
# Swin-T on CIFAR-10 at 224 px; after the per-patch augmentation the 32 px
# cells are shuffled (PatchPermute) and the targets follow the content, so
# neither position embeddings nor window borders give AbsPos / SpRel away.
_base_ = './relvit-joint_swin-tiny-p4-w7_1xb64-100e_cifar10-224px.py'

model = dict(head=None)

train_dataloader = dict(dataset=dict(pipeline=_base_.perm_upstream_pipeline))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
