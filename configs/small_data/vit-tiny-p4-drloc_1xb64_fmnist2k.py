# Small-data study, DrLoc arm: the supervised arm plus the dense relative
# localisation loss (L1 on |offsets| / k, 64 pairs per image, lambda 0.1 as
# for T2T and CvT in the paper) on the final 7x7 token grid.
_base_ = ['./vit-tiny-p4_1xb64_fmnist2k.py']

model = dict(
    aux_heads=dict(
        drloc=dict(
            type='DrLocHead',
            in_channels=_base_.embed_dims,
            num_pairs=64,
            loss=dict(type='DrLocL1Loss', loss_weight=0.1))))
