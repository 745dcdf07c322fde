# RelViT upstream with mega-patches exactly as the reference README runs it:
#   upstream_MEGApatch.sh --backbone vit --model_size small
#       --dataset imagenet100 --batch_size 256 --weight_decay 0.1
#       --drop_path_rate 0.1 --dropout 0.0 --side_megapatches 6
# ViT-S/32 without labels or positional embeddings, SpRel + AbsPos over the
# 6x6 mega-patch grid, the reference's ImageNet-100 statistics, and the
# per-patch colJitter:0.8-grayScale:0.2 in normalised space
# (jitter_space='normalized'). Mega-patch columns are cut independently of
# the rows (the reference reused the row cuts). What still differs:
# configs/relvit/README.md, "Official presets".
_base_ = './relvit-joint_vit-small-p32_1xb256-100e_in100.py'

# the reference's ImageNet-100 mean / std (not ImageNet-1K's), x 255
data_preprocessor = dict(
    mean=[117.1725, 115.26, 99.45], std=[64.9485, 60.8175, 64.974])

model = dict(
    backbone=dict(use_pos_embed=False),
    head=None,
    aux_heads=dict(position=dict(num_patches=36)))

train_dataloader = dict(
    dataset=dict(pipeline=_base_.train_pipeline[:-1] + [
        dict(type='MegaPatches', num_side=6, patch_size=32),
        dict(
            type='PatchAugment',
            patch_size=32,
            jitter_space='normalized',
            mean=data_preprocessor['mean'],
            std=data_preprocessor['std']),
        dict(type='PackInputs'),
    ]))

# nothing to classify: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None

# upstream_MEGApatch.sh hard-codes --seed 35771
randomness = dict(seed=35771)
