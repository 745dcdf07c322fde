# Oxford Flowers-102 for RelViT: the ImageNet pipelines (RandomResizedCrop
# 224 + flip; resize 256 + CenterCrop 224), 7x7 tokens of 32 px, batch 256.
# mmpretrain's Flowers102 reads the distributed layout
#   data/flowers102/{jpg/image_*.jpg, imagelabels.mat, setid.mat}
# train split (1,020 images) for training, val (1,020) for validation (the
# reference's 'valid' split), test (6,149) for tools/test.py.
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64.py'

dataset_type = 'Flowers102'
data_preprocessor = dict(num_classes=102)

upstream_pipeline = _base_.train_pipeline[:-1] + [
    dict(type='PatchAugment', patch_size=32),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=256,
    dataset=dict(
        type=dataset_type, data_root='data/flowers102', split='train'))
val_dataloader = dict(
    batch_size=256,
    dataset=dict(type=dataset_type, data_root='data/flowers102', split='val'))
test_dataloader = dict(
    batch_size=256,
    dataset=dict(type=dataset_type, data_root='data/flowers102', split='test'))
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator
