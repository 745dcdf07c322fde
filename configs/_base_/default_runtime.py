# mmpretrain's runtime plus mmrelvit's registrations.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(
    imports=['mmrelvit.models', 'mmrelvit.datasets', 'mmrelvit.engine'],
    allow_failed_imports=False)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1, max_keep_ckpts=2))

# A fixed seed makes the digits runs comparable across methods.
randomness = dict(seed=0, deterministic=False)

# Resumed runs continue the exact torch random stream (stochastic depth,
# DrLoc pair sampling): bit-identical to uninterrupted runs on CPU.
custom_hooks = [dict(type='RNGStateHook')]
