# mmpretrain's runtime plus mmrelvit's registrations.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(
    imports=['mmrelvit.models', 'mmrelvit.datasets', 'mmrelvit.engine'],
    allow_failed_imports=False)

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=1, max_keep_ckpts=2))

# A fixed seed makes the digits runs comparable across methods.
randomness = dict(seed=0, deterministic=False)

custom_hooks = [
    # resumed runs continue every random stream (model and data workers):
    # bit-identical to uninterrupted runs on CPU (docs/reliability.md)
    dict(type='RNGStateHook'),
    # a full disk or a kill while saving never leaves a truncated epoch_N.pth
    dict(type='AtomicCheckpointHook'),
]
