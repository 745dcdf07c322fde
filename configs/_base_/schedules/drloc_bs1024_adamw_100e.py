# DrLoc's from-scratch recipe (paper App. F): AdamW lr 1e-3 (5e-4 x 1024 /
# 512), weight decay 0.05 (none on norms, biases, position / bias tables,
# class tokens), grad-norm clip 5, 20 linear warm-up epochs, then cosine to
# 1e-5 at epoch 100.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py'

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'cls_token': dict(decay_mult=0.0)}),
    clip_grad=dict(max_norm=5.0))

train_cfg = dict(max_epochs=100)
