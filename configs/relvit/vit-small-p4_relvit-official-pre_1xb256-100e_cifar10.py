# Finetune exactly as the reference README runs it, from the upstream of
# relvit-official_vit-small-p4_1xb256-100e_cifar10.py:
#   downstream.sh --backbone vit --num_gpus 1 --epochs 100 --dataset cifar10
#       --weight_decay 0.1 --drop_path_rate 0.1 --model_size small
#       --dropout 0.0 --model_checkpoint <upstream checkpoint>
# Classification only, positional embeddings on, backbone loaded with prefix
# 'backbone.', fresh head, optimiser and schedule; the checkpoint of the
# best validation (= test split) accuracy is kept. What still differs:
# configs/relvit/README.md, "Official presets".
_base_ = './relvit-joint_vit-small-p4_1xb256-100e_cifar10.py'

# the last checkpoint of the upstream preset, in its default work_dir
checkpoint = ('work_dirs/relvit-official_vit-small-p4_1xb256-100e_cifar10/'
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

# downstream.sh's default --seed
randomness = dict(seed=35771)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/top1', rule='greater'))
