# Finetune the supervised digits ViT from the RelViT upstream checkpoint:
# backbone only (the upstream's aux heads are dropped, its never-trained
# pos_embed is loaded and now trained), fresh classification head, fresh
# optimiser and schedule. StrictPretrainedHook stops the run if a backbone
# weight is missing from the checkpoint and logs the dropped keys.
_base_ = '../vit/vit-tiny-p4_1xb64-30e_digits.py'

# the last checkpoint of `tools/train.py configs/relvit/
# relvit_vit-tiny-p4_1xb64-30e_digits.py` (default work_dir)
checkpoint = 'work_dirs/relvit_vit-tiny-p4_1xb64-30e_digits/epoch_30.pth'

model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint=checkpoint,
            prefix='backbone.')))

custom_hooks = _base_.custom_hooks + [dict(type='StrictPretrainedHook')]
