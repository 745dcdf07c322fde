"""Checkpoint hand-off from pretraining to detection, and end to end on the
embedded digit scenes: train a few iterations with the launcher, evaluate
with mmdet's CocoMetric and VOCMetric."""
import json
import os.path as osp
import re
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from conftest import REPO, run_tool
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

CLS_MODEL = osp.join(REPO, 'configs/_base_/models/vit-tiny-p4_digits.py')
DET_BACKBONE = osp.join(REPO,
                        'configs/_base_/models/det_vit-tiny-p4_digits.py')
JOINT_CFG = osp.join(
    REPO, 'configs/mask_rcnn/'
    'mask-rcnn_vit-tiny-p4-relvit-joint_fpn_1xb8-8e_digits-det.py')


@pytest.fixture(scope='module')
def cls_checkpoint(tmp_path_factory):
    """The digits classifier of configs/vit (AuxSSLClassifier + TokenViT,
    an mmpretrain ImageClassifier + VisionTransformer with the same keys),
    saved as ``{'state_dict', 'meta'}``."""
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CLS_MODEL).model)
    path = tmp_path_factory.mktemp('ckpt') / 'cls.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=30)), path)
    return str(path)


def det_backbone(checkpoint):
    """The detection backbone of the digits det configs."""
    from mmdet.registry import MODELS
    cfg = Config.fromfile(DET_BACKBONE).det_backbone
    cfg.pop('_delete_')
    cfg.init_cfg.checkpoint = checkpoint
    init_default_scope('mmdet')
    return MODELS.build(cfg)


def strict_hook_on(backbone):
    from mmrelvit.engine.hooks import StrictPretrainedHook
    model = nn.Module()
    model.backbone = backbone
    runner = SimpleNamespace(
        model=model, logger=MMLogger.get_current_instance())
    StrictPretrainedHook().before_train(runner)


def test_full_checkpoint_loads_every_backbone_tensor(cls_checkpoint):
    from mmpretrain.models.utils import resize_pos_embed

    from mmrelvit.engine.hooks import check_pretrained
    backbone = det_backbone(cls_checkpoint)
    backbone.init_weights()
    ckpt = torch.load(cls_checkpoint)['state_dict']
    report = check_pretrained(backbone, cls_checkpoint, 'backbone.')
    assert not (report['missing'] or report['mismatched']
                or report['unexpected'])
    # the classification head is left behind
    assert report['dropped'] and all(
        key.startswith('head.') for key in report['dropped'])
    state = backbone.state_dict()
    # pos_embed is resized 8x8 -> 16x16 by mmpretrain's load hook: loaded,
    # not a mismatch
    expected = {
        key[len('backbone.'):]: value
        for key, value in ckpt.items() if key.startswith('backbone.')
    }
    expected['pos_embed'] = resize_pos_embed(expected['pos_embed'], (8, 8),
                                             (16, 16), 'bicubic', 1)
    loaded = [key for key in state if torch.equal(state[key], expected[key])]
    # cls token, pos embed, patch embed (2), 4 blocks x 12, final norm (2)
    assert len(loaded) == len(state) == len(expected) == 54
    assert len(report['matched']) == 54
    strict_hook_on(backbone)


def test_missing_or_misshaped_keys_stop_training(cls_checkpoint, tmp_path):
    state = torch.load(cls_checkpoint)['state_dict']
    del state['backbone.layers.3.ffn.layers.1.weight']
    state['backbone.patch_embed.projection.weight'] = torch.zeros(96, 3, 8, 8)
    broken = str(tmp_path / 'broken.pth')
    torch.save(dict(state_dict=state), broken)
    backbone = det_backbone(broken)
    backbone.init_weights()  # mmengine only logs the problems
    with pytest.raises(RuntimeError) as err:
        strict_hook_on(backbone)
    message = str(err.value)
    assert 'missing: layers.3.ffn.layers.1.weight' in message
    assert ('shape mismatch: patch_embed.projection.weight checkpoint '
            '(96, 3, 8, 8) vs model (96, 3, 4, 4)') in message
    assert '1 missing, 1 mis-shaped of 54 tensors' in message


@pytest.fixture(scope='module')
def digits_det_root(tmp_path_factory):
    from mmrelvit.datasets.digits_detection import write_detection
    root = tmp_path_factory.mktemp('digits') / 'det'
    return write_detection(str(root), num_train=12, num_val=6) + '/'


def tiny_config(tmp_path, data_root, checkpoint):
    """The real joint-SSL digits config with the test's data, checkpoint
    and a 4-iteration schedule; evaluation by CocoMetric and VOCMetric."""
    text = f'''
_base_ = [{JOINT_CFG!r}]
model = dict(
    backbone=dict(init_cfg=dict(checkpoint={checkpoint!r})),
    train_cfg=dict(rcnn=dict(sampler=dict(num=64))),
    # an almost untrained model: keep low scores so metrics see boxes
    test_cfg=dict(rcnn=dict(score_thr=0.0)))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}))
val_dataloader = dict(
    batch_size=3, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric', metric=['bbox', 'segm'],
         ann_file={data_root!r} + 'annotations/instances_val.json'),
    dict(type='VOCMetric', metric='mAP', eval_mode='area'),
]
test_evaluator = val_evaluator
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=4,
                 val_interval=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4)
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=4))
log_processor = dict(by_epoch=False)
'''
    path = tmp_path / 'tiny_digits_det.py'
    path.write_text(text)
    return str(path)


def test_runner_stops_before_training_on_a_broken_checkpoint(
        cls_checkpoint, digits_det_root, tmp_path):
    from mmengine.runner import Runner
    from mmengine.visualization import Visualizer
    state = torch.load(cls_checkpoint)['state_dict']
    del state['backbone.ln1.bias']
    broken = str(tmp_path / 'broken.pth')
    torch.save(dict(state_dict=state), broken)
    cfg = Config.fromfile(tiny_config(tmp_path, digits_det_root, broken))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.visualizer.name = 'test_det_transfer_broken'
    runner = Runner.from_cfg(cfg)
    try:
        with pytest.raises(RuntimeError, match='missing: ln1.bias'):
            runner.train()
    finally:
        Visualizer._instance_dict.pop('test_det_transfer_broken', None)
    # stopped before the first optimiser step
    assert runner.iter == 0
    assert not osp.exists(osp.join(cfg.work_dir, 'iter_1.pth'))


def test_digits_joint_ssl_train_then_test_end_to_end(cls_checkpoint,
                                                     digits_det_root,
                                                     tmp_path):
    cfg = tiny_config(tmp_path, digits_det_root, cls_checkpoint)
    work_dir = tmp_path / 'work'
    train = run_tool(['tools/train.py', cfg, '--work-dir', work_dir])
    log = train.stdout + train.stderr
    assert 'model.backbone has all 54 tensors' in log
    # the RelViT heads train with the detector
    assert re.search(r'loss_relation: \d', log)
    assert re.search(r'loss_position: \d', log)
    ckpt = work_dir / 'iter_4.pth'
    assert ckpt.is_file()

    test = run_tool(['tools/test.py', cfg, ckpt, '--work-dir', work_dir])
    line = [
        ln for ln in test.stdout.splitlines() if ln.startswith('metrics: ')
    ][-1]
    metrics = json.loads(line[len('metrics: '):])
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75',
                'coco/segm_mAP', 'pascal_voc/mAP'):
        assert 0.0 <= metrics[key] <= 1.0, (key, metrics)
