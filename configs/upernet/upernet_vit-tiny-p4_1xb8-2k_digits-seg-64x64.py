# UperNet on the embedded digit scenes, initialised from the supervised
# digits ViT: the reference the -relvit-pre config is compared with.
# Pretrain it first (writes the checkpoint below):
#   python tools/train.py configs/vit/vit-tiny-p4_1xb64-30e_digits.py
_base_ = [
    '../_base_/models/upernet_vit-tiny-p4_digits-seg.py',
    '../_base_/datasets/digits-seg.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/digits-seg_adamw_2k.py',
    '../_base_/upernet_runtime.py',
]
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/vit-tiny-p4_1xb64-30e_digits/epoch_30.pth',
            prefix='backbone.')))

# A fixed seed makes the digits runs comparable across pretrainings.
randomness = dict(seed=0)
