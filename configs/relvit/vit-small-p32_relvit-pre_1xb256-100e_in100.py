# Finetune ViT-S/32 on ImageNet-100 from the RelViT upstream checkpoint
# (reference downstream.sh): classification only, backbone loaded with prefix
# 'backbone.' (the upstream's aux heads are dropped and logged), fresh head,
# optimiser and schedule; StrictPretrainedHook stops the run if a backbone
# weight is missing or mis-shaped.
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in100.py'

# the last checkpoint of the upstream config, in its default work_dir
checkpoint = ('work_dirs/relvit_vit-small-p32_1xb256-100e_in100/'
              'epoch_100.pth')

model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint=checkpoint,
            prefix='backbone.')),
    aux_heads=None)

custom_hooks = _base_.custom_hooks + [dict(type='StrictPretrainedHook')]
