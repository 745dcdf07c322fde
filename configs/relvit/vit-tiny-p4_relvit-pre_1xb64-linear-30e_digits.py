# Linear probe of the RelViT upstream digits backbone: the backbone is frozen
# (eval mode) and used exactly as pretrained, i.e. without positional
# embeddings; only the linear classifier on its class token is trained.
_base_ = '../vit/vit-tiny-p4_1xb64-30e_digits.py'

checkpoint = 'work_dirs/relvit_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'

model = dict(
    backbone=dict(
        use_pos_embed=False,
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint=checkpoint,
            prefix='backbone.')),
    freeze_backbone=True)

custom_hooks = _base_.custom_hooks + [dict(type='StrictPretrainedHook')]
