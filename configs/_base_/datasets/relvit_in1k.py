# ImageNet-1K for RelViT: RandomResizedCrop(224) + horizontal flip; resize
# the short edge to 256 + CenterCrop(224) for evaluation (mmpretrain's
# ImageNet, a CustomDataset with the 1000 class names), batch 256. Patch
# (and label cell) 32 -> 7x7 tokens for ViT-S/32, Swin-T and T2T-ViT-14.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64.py'

upstream_pipeline = _base_.train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=32),
    dict(type='PackInputs'),
]
# Swin / T2T-ViT upstream: shuffle the 32 px cells; the permutation travels
# as metainfo (PackInputs replaces its default meta_keys by the given ones)
perm_pack = dict(
    type='PackInputs',
    meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape',
               'scale_factor', 'flip', 'flip_direction', 'patch_perm'))
perm_upstream_pipeline = upstream_pipeline[:-1] + [
    dict(type='PatchPermute', patch_size=32),
    perm_pack,
]

train_dataloader = dict(batch_size=256)
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
