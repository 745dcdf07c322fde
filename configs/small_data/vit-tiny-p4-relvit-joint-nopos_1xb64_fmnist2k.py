# Small-data study, fix candidate for the joint RelViT arm: with learned
# positional embeddings the identity-order SpRel and AbsPos targets can be
# read off the embeddings, so the heads may teach the encoder nothing about
# the content. RelViT's own upstream removes them (the tasks must then be
# solved from the pixels); here the joint arm does the same. Not one of the
# four default arms: run it with
#   small_data_study.py --extra-arm relvit-joint-nopos=<this file> \
#       --arms supervised relvit-joint relvit-joint-nopos
_base_ = ['./vit-tiny-p4-relvit-joint_1xb64_fmnist2k.py']

model = dict(backbone=dict(use_pos_embed=False))
