# Finetune T2T-ViT-t-14 on CIFAR-10 at 224 px from the RelViT upstream
# checkpoint (reference downstream.sh): classification only, backbone loaded
# with prefix 'backbone.' (the upstream's aux heads are dropped and logged),
# fresh head, optimiser and schedule; StrictPretrainedHook stops the run if a
# backbone weight is missing or mis-shaped.
_base_ = './relvit-joint_t2t-vit-t-14_1xb64-100e_cifar10-224px.py'

# the last checkpoint of the upstream config, in its default work_dir
checkpoint = ('work_dirs/relvit_t2t-vit-t-14_1xb64-100e_cifar10-224px/'
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
