# RelViT upstream exactly as the reference README runs it:
#   upstream.sh --backbone vit --model_size small --num_gpus 1 --epochs 100
#       --dataset cifar10 --weight_decay 0.1 --drop_path_rate 0.1 --dropout 0.0
# ViT-S/4 without labels or positional embeddings, SpRel + AbsPos, and the
# per-patch colJitter:0.8-grayScale:0.2 applied to the normalised image as
# the reference does (jitter_space='normalized': the jitter clamps to [0, 1]
# in normalised space). What still differs: configs/relvit/README.md,
# "Official presets".
_base_ = './relvit-joint_vit-small-p4_1xb256-100e_cifar10.py'

model = dict(backbone=dict(use_pos_embed=False), head=None)

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(
            type='PatchAugment',
            patch_size=4,
            channel_order='rgb',
            jitter_space='normalized',
            mean=_base_.data_preprocessor.mean,
            std=_base_.data_preprocessor.std),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None

# upstream.sh hard-codes --seed 35771
randomness = dict(seed=35771)
