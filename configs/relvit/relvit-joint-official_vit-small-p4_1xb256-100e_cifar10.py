# RelViT joint training exactly as the reference README runs it:
#   downstream-only.sh --seed 2022 --backbone vit --dataset cifar10
#       --weight_decay 0.1 --drop_path_rate 0.1 --model_size small
#       --dropout 0.0 --patch_trans colJitter:0.8-grayScale:0.2
# The reference's supervised data set ignores --patch_trans, so there is no
# per-patch augmentation here either; it kept the checkpoint of the best
# validation (= test split) accuracy. What still differs:
# configs/relvit/README.md, "Official presets".
_base_ = './relvit-joint_vit-small-p4_1xb256-100e_cifar10.py'

randomness = dict(seed=2022)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/top1', rule='greater'))
