# Small-data study, joint RelViT arm ("downstream-only"): the supervised arm
# plus the spatial-relation and absolute-position heads on the final 7x7
# token grid, trained from scratch together with the classifier
# (unweighted sum of the losses, positional embeddings on, identity-order
# targets, as in the reference).
_base_ = ['./vit-tiny-p4_1xb64_fmnist2k.py']

model = dict(
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead',
            in_channels=_base_.embed_dims,
            task='relation'),
        position=dict(
            type='AbsPositionHead',
            in_channels=_base_.embed_dims,
            num_patches=49)))
