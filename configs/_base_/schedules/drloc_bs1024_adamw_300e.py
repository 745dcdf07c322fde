# The 100-epoch DrLoc recipe (drloc_bs1024_adamw_100e.py) on 300 epochs:
# 20 warm-up epochs, then cosine to 1e-5 at epoch 300.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py'

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'cls_token': dict(decay_mult=0.0)}),
    clip_grad=dict(max_norm=5.0))
