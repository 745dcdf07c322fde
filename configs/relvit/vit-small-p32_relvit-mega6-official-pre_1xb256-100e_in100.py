# Finetune exactly as the reference README runs it after the mega-patch
# upstream, from relvit-mega6-official_vit-small-p32_1xb256-100e_in100.py:
#   downstream.sh --backbone vit --dataset imagenet100 --weight_decay 0.1
#       --drop_path_rate 0.1 --model_size small --dropout 0.0
#       --model_checkpoint <upstream checkpoint>
# ViT-S/32 at 224 px (7x7 tokens), classification only, positional
# embeddings on, the reference's ImageNet-100 statistics, backbone loaded
# with prefix 'backbone.'; the checkpoint of the best validation accuracy is
# kept. What still differs: configs/relvit/README.md, "Official presets".
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in100.py'

# the reference's ImageNet-100 mean / std (not ImageNet-1K's), x 255
data_preprocessor = dict(
    mean=[117.1725, 115.26, 99.45], std=[64.9485, 60.8175, 64.974])

# the last checkpoint of the upstream preset, in its default work_dir
checkpoint = ('work_dirs/relvit-mega6-official_vit-small-p32_1xb256-100e_'
              'in100/epoch_100.pth')

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
