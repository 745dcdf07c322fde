# Small-data study, control of the no-positional-embedding joint RelViT arm
# (vit-tiny-p4-relvit-joint-nopos_1xb64_fmnist2k.py): the supervised arm
# without positional embeddings, so that the joint arm's difference is the
# heads' and not the missing embedding's. Run it with
#   small_data_study.py --extra-arm supervised-nopos=<this file> \
#       --extra-arm relvit-joint-nopos=<the joint file> \
#       --arms supervised-nopos relvit-joint-nopos
_base_ = ['./vit-tiny-p4_1xb64_fmnist2k.py']

model = dict(backbone=dict(use_pos_embed=False))
