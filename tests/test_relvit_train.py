"""RelViT digits configs through tools/train.py (a few iterations of a
shrunk copy), the upstream -> finetune / linear-probe checkpoint hand-off and
the strict pretrained check behind it."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from conftest import REPO, run_tool
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope

import mmrelvit.engine  # noqa: F401  (also loads checkpoints weights_only)
from mmrelvit.engine import StrictPretrainedHook, check_pretrained
from mmrelvit.models import TokenViT

CONFIG_DIR = osp.join(REPO, 'configs', 'relvit')
UPSTREAM = 'relvit_vit-tiny-p4_1xb64-30e_digits.py'
FINETUNE = 'vit-tiny-p4_relvit-pre_1xb64-30e_digits.py'
LINEAR = 'vit-tiny-p4_relvit-pre_1xb64-linear-30e_digits.py'
JOINT = 'relvit-joint_vit-tiny-p4_1xb64-30e_digits.py'
MAX_ITERS = 4


def tiny_relvit_config(tmp_path,
                       digits_root,
                       config,
                       *,
                       head=True,
                       aux=False,
                       checkpoint=None):
    """A config inheriting ``configs/relvit/<config>``, shrunk to a 2-layer
    32-d ViT trained for MAX_ITERS iterations of 16 images (like
    conftest.tiny_digits_config, which inherits the supervised config)."""
    backbone = ('arch=dict(embed_dims=32, num_layers=2, num_heads=2, '
                'feedforward_channels=64)')
    if checkpoint:
        backbone += f', init_cfg=dict(checkpoint={str(checkpoint)!r})'
    model = [f'backbone=dict({backbone})']
    if head:
        model.append('head=dict(in_channels=32)')
    if aux:
        model.append('aux_heads=dict(relation=dict(in_channels=32), '
                     'position=dict(in_channels=32))')
    loader = ('num_workers=0, persistent_workers=False, '
              f'dataset=dict(data_root={digits_root!r})')
    text = f'''
_base_ = [{osp.join(CONFIG_DIR, config)!r}]
model = dict({', '.join(model)})
train_dataloader = dict(batch_size=16, {loader})
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                 max_iters={MAX_ITERS}, val_interval={MAX_ITERS})
param_scheduler = dict(_delete_=True, type='RelViTLR', by_epoch=False,
                       begin=0, end={MAX_ITERS})
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval={MAX_ITERS}))
'''
    if head:  # configs with a classifier also validate
        text += f'val_dataloader = dict(batch_size=64, {loader})\n'
        text += 'test_dataloader = val_dataloader\n'
    path = tmp_path / f'tiny_{config}'
    path.write_text(text)
    return str(path)


def train(tmp_path, cfg, check=True):
    work = tmp_path / 'work'
    # one OpenMP thread: on the shared 2-core machine two spinning threads
    # per process made these runs ~5x slower
    proc = run_tool(['tools/train.py', cfg, '--work-dir', work],
                    env=dict(OMP_NUM_THREADS='1'),
                    check=check)
    return proc, proc.stdout + proc.stderr, work / f'iter_{MAX_ITERS}.pth'


def state_dict(path):
    return torch.load(path, map_location='cpu')['state_dict']


@pytest.fixture(scope='module')
def upstream(tmp_path_factory, digits_root):
    """A few self-supervised iterations; its checkpoint feeds the others."""
    tmp_path = tmp_path_factory.mktemp('upstream')
    cfg = tiny_relvit_config(
        tmp_path, digits_root, UPSTREAM, head=False, aux=True)
    _, log, ckpt = train(tmp_path, cfg)
    return log, ckpt


def test_upstream_trains_the_ssl_heads_only(upstream):
    log, ckpt = upstream
    for key in ('loss_relation', 'loss_position', 'acc_relation',
                'acc_position'):
        assert f'{key}: ' in log, key
    assert 'loss_cls' not in log
    keys = state_dict(ckpt).keys()
    assert not [k for k in keys if k.startswith('head.')]
    assert {k.split('.')[1]
            for k in keys
            if k.startswith('aux_heads.')} == {'relation', 'position'}


def test_finetune_loads_backbone_and_logs_dropped_heads(
        upstream, tmp_path, digits_root):
    _, ckpt = upstream
    aux_keys = sorted(k for k in state_dict(ckpt) if k.startswith('aux_'))
    cfg = tiny_relvit_config(tmp_path, digits_root, FINETUNE, checkpoint=ckpt)
    _, log, out = train(tmp_path, cfg)
    dropped = [
        line for line in log.splitlines()
        if 'StrictPretrainedHook: dropped' in line
    ]
    assert len(dropped) == 1, log[-3000:]
    assert f'dropped {len(aux_keys)} checkpoint keys outside prefix ' \
           "'backbone.'" in dropped[0]
    for key in aux_keys:
        assert key in dropped[0]
    assert 'StrictPretrainedHook: model.backbone has all' in log
    assert 'loss_cls: ' in log and 'loss_relation' not in log
    assert 'accuracy/top1' in log
    keys = state_dict(out).keys()
    assert not [k for k in keys if k.startswith('aux_heads.')]
    assert 'head.layers.head.weight' in keys


def test_missing_backbone_key_stops_training(upstream, tmp_path, digits_root):
    _, ckpt = upstream
    weights = state_dict(ckpt)
    del weights['backbone.layers.1.ffn.layers.1.weight']
    broken = tmp_path / 'broken.pth'
    torch.save(dict(state_dict=weights), broken)
    cfg = tiny_relvit_config(
        tmp_path, digits_root, FINETUNE, checkpoint=broken)
    proc, log, out = train(tmp_path, cfg, check=False)
    assert proc.returncode != 0
    assert 'RuntimeError: Pretrained checkpoint' in log
    assert 'does not fit model.backbone (1 missing, 0 mis-shaped' in log
    assert 'missing: layers.1.ffn.layers.1.weight' in log
    assert not out.exists()  # stopped before the first iteration


def test_linear_probe_trains_the_head_on_the_frozen_upstream(
        upstream, tmp_path, digits_root):
    _, ckpt = upstream
    cfg = tiny_relvit_config(tmp_path, digits_root, LINEAR, checkpoint=ckpt)
    _, log, out = train(tmp_path, cfg)
    assert 'StrictPretrainedHook: model.backbone has all' in log
    before, after = state_dict(ckpt), state_dict(out)
    backbone = [k for k in before if k.startswith('backbone.')]
    assert backbone
    for key in backbone:  # loaded, then never updated
        assert torch.equal(before[key], after[key]), key
    # the classifier starts at zero (VisionTransformerClsHead) and learns
    assert after['head.layers.head.weight'].abs().sum() > 0


def test_joint_trains_classifier_and_ssl_heads(tmp_path, digits_root):
    cfg = tiny_relvit_config(tmp_path, digits_root, JOINT, aux=True)
    _, log, out = train(tmp_path, cfg)
    for key in ('loss_cls', 'loss_relation', 'loss_position'):
        assert f'{key}: ' in log, key
    assert 'accuracy/top1' in log
    assert out.is_file()


def save_backbone(tmp_path, backbone, extra=None):
    weights = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    weights.update(extra or {})
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict=weights), path)
    return str(path)


def tiny_vit(**kwargs):
    arch = dict(
        embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64)
    return TokenViT(arch=kwargs.pop('arch', arch), patch_size=4, **kwargs)


def test_check_pretrained_tolerates_pos_embed_resize(tmp_path):
    ckpt = save_backbone(
        tmp_path,
        tiny_vit(img_size=32),
        extra={'aux_heads.position.fc.bias': torch.zeros(64)})
    target = tiny_vit(img_size=64)  # pos_embed (1, 65, 32) -> (1, 257, 32)
    report = check_pretrained(target, ckpt, prefix='backbone.')
    assert report['missing'] == report['mismatched'] == []
    assert report['unexpected'] == []
    assert report['dropped'] == ['aux_heads.position.fc.bias']
    assert 'pos_embed' in report['matched']


def test_check_pretrained_reports_mis_shaped_keys(tmp_path):
    ckpt = save_backbone(tmp_path, tiny_vit(img_size=32))
    wider = tiny_vit(
        img_size=32,
        arch=dict(
            embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=96))
    report = check_pretrained(wider, ckpt, prefix='backbone.')
    assert {key
            for key, _, _ in report['mismatched']} == {
                'layers.0.ffn.layers.0.0.weight',
                'layers.0.ffn.layers.0.0.bias', 'layers.0.ffn.layers.1.weight'
            }
    with pytest.raises(RuntimeError, match="no key with prefix 'neck.'"):
        check_pretrained(wider, ckpt, prefix='neck.')


def test_hook_builds_from_foreign_scope():
    """mmdet / mmseg configs name it 'mmpretrain.StrictPretrainedHook'."""
    pytest.importorskip('mmdet')
    import mmdet.registry  # noqa: F401
    from mmengine.registry import HOOKS
    with DefaultScope.overwrite_default_scope('mmdet'):
        hook = HOOKS.build(dict(type='mmpretrain.StrictPretrainedHook'))
    assert isinstance(hook, StrictPretrainedHook)


def test_hook_allows_keys_that_are_new_by_design(tmp_path):
    weights = {
        f'backbone.{k}': v
        for k, v in tiny_vit(img_size=32).state_dict().items()
        if not k.startswith('ln1.')
    }
    path = tmp_path / 'no_final_norm.pth'
    torch.save(dict(state_dict=weights), path)
    model = torch.nn.Module()
    model.backbone = tiny_vit(
        img_size=32,
        init_cfg=dict(
            type='Pretrained', checkpoint=str(path), prefix='backbone.'))
    runner = SimpleNamespace(
        model=model, logger=MMLogger.get_instance('test_relvit_train'))
    with pytest.raises(RuntimeError, match='missing: ln1.weight'):
        StrictPretrainedHook().before_train(runner)
    StrictPretrainedHook(allow_missing=[r'ln1\..*']).before_train(runner)
