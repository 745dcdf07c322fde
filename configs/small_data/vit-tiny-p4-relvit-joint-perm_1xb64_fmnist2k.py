# Small-data study, second fix candidate for the joint RelViT arm: keep the
# positional embeddings but shuffle the patches of half of the training
# images (RelViT's "Perm"); the SSL targets follow the content while the
# embeddings index the slots, so they no longer give the answer away. The
# classifier sees the shuffled images too. Run it with
#   small_data_study.py --extra-arm relvit-joint-perm=<this file> \
#       --arms supervised relvit-joint relvit-joint-perm
_base_ = ['./vit-tiny-p4-relvit-joint_1xb64_fmnist2k.py']

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PatchPermute', patch_size=4, prob=0.5),
    dict(
        type='PackInputs',
        meta_keys=('sample_idx', 'img_shape', 'ori_shape', 'flip',
                   'flip_direction', 'patch_perm')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
