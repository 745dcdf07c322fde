# mmrelvit's additions to mmdet's default runtime, shared by every config in
# configs/mask_rcnn and configs/cascade_mask_rcnn (they also inherit
# mmdet::_base_/default_runtime.py, with default_scope='mmdet').
custom_imports = dict(
    imports=[
        'mmpretrain.models', 'mmrelvit.models', 'mmrelvit.engine',
        'mmrelvit.det'
    ],
    allow_failed_imports=False)

custom_hooks = [
    # resumed runs continue every random stream (model and data workers):
    # bit-identical to uninterrupted runs on CPU (docs/reliability.md)
    dict(type='RNGStateHook'),
    # a full disk or a kill while saving never leaves a truncated checkpoint
    dict(type='AtomicCheckpointHook'),
    # init_cfg=Pretrained only logs missing / mis-shaped backbone keys;
    # stop before the first iteration instead
    dict(type='mmpretrain.StrictPretrainedHook'),
]
