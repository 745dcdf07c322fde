# RelViT joint ("downstream-only") training on the embedded digits: the
# supervised baseline plus the spatial-relation and absolute-position heads on
# the 8x8 patch tokens, positional embeddings on, the supervised pipeline.
_base_ = '../vit/vit-tiny-p4_1xb64-30e_digits.py'

model = dict(
    aux_heads=dict(
        relation=dict(
            type='PatchRelationHead', in_channels=96, task='relation'),
        position=dict(type='AbsPositionHead', in_channels=96, num_patches=64)))
