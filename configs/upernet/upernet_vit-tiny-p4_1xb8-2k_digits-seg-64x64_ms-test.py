# Multi-scale testing of any digits UperNet checkpoint (the pretraining
# source does not matter at test time): the scene scale times {0.5, 0.75,
# 1.0, 1.25, 1.5, 1.75}, no flips (a mirrored digit is another symbol);
# SegTTAModel averages the six softmax maps. Test-only:
#   python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = './upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py'

model = dict(_delete_=True, type='SegTTAModel', module=_base_.model)
test_dataloader = dict(dataset=dict(pipeline=_base_.tta_pipeline))
