"""Every config under configs/relvit/ parses, means what its name says and
trains one step (shrunk to a 1-layer backbone) on a synthetic image run
through its own training pipeline; no data set is read."""
import glob
import os.path as osp
import re

import numpy as np
import pytest
import torch
from conftest import REPO
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import mmrelvit.datasets  # noqa: F401
import mmrelvit.engine  # noqa: F401
import mmrelvit.models  # noqa: F401
from mmrelvit.models import TokenViT

CONFIG_DIR = osp.join(REPO, 'configs', 'relvit')
CONFIGS = sorted(
    osp.basename(p) for p in glob.glob(osp.join(CONFIG_DIR, '*.py')))

# backbone type -> (overrides shrinking it, its output channels)
SHRINK = {
    'TokenViT': (dict(
        arch=dict(
            embed_dims=32, num_layers=1, num_heads=2,
            feedforward_channels=64)), 32),
    'TokenT2TViT': (dict(
        embed_dims=32,
        num_layers=1,
        layer_cfgs=dict(num_heads=2, feedforward_channels=64),
        t2t_cfg=dict(token_dims=16, use_performer=False)), 32),
    'SwinTransformer':
    (dict(arch=dict(embed_dims=8, depths=[1] * 4, num_heads=[1] * 4)), 64),
}

pytestmark = pytest.mark.usefixtures('cached_metafiles')


def mode_of(name):
    """The training mode a config name announces."""
    if re.match(r'relvit-joint(-official)?_', name):
        return 'joint'
    if re.match(r'relvit(-perm)?(-mega\d+)?(-official)?_', name):
        return 'upstream'
    assert re.search(r'_relvit(-mega\d+)?(-official)?-pre_', name), name
    return 'linear' if '-linear-' in name else 'finetune'


def channels_of(backbone):
    """Output channels of the backbone config at its real size."""
    from mmpretrain.models import SwinTransformer
    kind = backbone['type']
    if kind == 'TokenViT':
        arch = backbone['arch']
        if isinstance(arch, str):
            arch = TokenViT.arch_zoo[arch]
        return arch['embed_dims']
    if kind == 'SwinTransformer':
        arch = SwinTransformer.arch_zoo[backbone['arch']]
        return arch['embed_dims'] * 2**(len(arch['depths']) - 1)
    assert kind == 'TokenT2TViT', kind
    return backbone['embed_dims']


def synthetic_batch(cfg, batch_size=1):
    """Samples of the training pipeline (file loading skipped) on random
    images of the data set's native size."""
    pipeline = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] != 'LoadImageFromFile'
    ]
    crop = [t for t in pipeline if t['type'] == 'RandomCrop']
    side = crop[0]['crop_size'] if crop else 256
    transform = Compose(pipeline)
    rng = np.random.RandomState(0)
    samples = []
    for i in range(batch_size):
        img = rng.randint(0, 256, (side, side, 3), dtype=np.uint8)
        samples.append(
            transform(
                dict(
                    img=img,
                    gt_label=i,
                    img_shape=img.shape[:2],
                    ori_shape=img.shape[:2],
                    sample_idx=i)))
    return dict(
        inputs=[s['inputs'] for s in samples],
        data_samples=[s['data_samples'] for s in samples])


def test_every_mode_is_covered():
    modes = [mode_of(name) for name in CONFIGS]
    for mode in ('upstream', 'joint', 'finetune', 'linear'):
        assert mode in modes
    assert sum('digits' in name for name in CONFIGS) == 4


@pytest.mark.parametrize('name', CONFIGS)
def test_config(name):
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    mode = mode_of(name)
    model_cfg = cfg.model
    backbone = model_cfg.backbone
    aux = model_cfg.get('aux_heads') or {}
    pipeline = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]

    # the recipe: AdamW 5e-4, wd 0.1, clip 1.0, RelViTLR over the schedule
    assert cfg.optim_wrapper.optimizer == dict(
        type='AdamW', lr=5e-4, weight_decay=0.1)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=1.0)
    assert cfg.param_scheduler.type == 'RelViTLR'
    assert cfg.param_scheduler.end == cfg.train_cfg.max_epochs

    # heads fit the real (unshrunk) backbone
    channels = channels_of(backbone)
    for head in [model_cfg.get('head')] + list(aux.values()):
        if head:
            assert head['in_channels'] == channels, head

    if mode == 'upstream':
        assert model_cfg.head is None and set(aux) == {'relation', 'position'}
        assert 'PatchAugment' in pipeline
        assert ('PatchPermute' in pipeline) == ('-perm' in name)
        assert ('MegaPatches' in pipeline) == ('-mega' in name)
        assert cfg.val_dataloader is None and cfg.val_cfg is None
        if backbone.type == 'TokenViT':
            assert backbone.use_pos_embed is False
    else:
        assert model_cfg.head is not None
        assert not {'PatchAugment', 'PatchPermute', 'MegaPatches'
                    } & set(pipeline)
        assert cfg.val_dataloader is not None
    if mode == 'joint':
        assert set(aux) == {'relation', 'position'}
        assert backbone.get('use_pos_embed', True)
    if mode in ('finetune', 'linear'):
        assert not aux
        init = backbone.init_cfg
        assert init.type == 'Pretrained' and init.prefix == 'backbone.'
        assert dict(type='StrictPretrainedHook') in cfg.custom_hooks
        # the default checkpoint is the last one of an upstream config here
        match = re.fullmatch(r'work_dirs/(.+)/epoch_(\d+)\.pth',
                             init.checkpoint)
        assert match, init.checkpoint
        upstream = osp.join(CONFIG_DIR, match.group(1) + '.py')
        assert osp.isfile(upstream), upstream
        assert mode_of(match.group(1) + '.py') == 'upstream'
        assert int(
            match.group(2)) == Config.fromfile(upstream).train_cfg.max_epochs
        assert model_cfg.get('freeze_backbone', False) == (mode == 'linear')
        assert backbone.get('use_pos_embed', True) == (mode != 'linear')

    # build a shrunk copy and train one step on the pipeline's output
    from mmpretrain.registry import MODELS
    overrides, small = SHRINK[backbone.type]
    model_cfg = model_cfg.copy()
    model_cfg.backbone.update(overrides, init_cfg=None)
    for head in [model_cfg.get('head')] + list(aux.values()):
        if head:
            head['in_channels'] = small
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model = MODELS.build(model_cfg)
    data = model.data_preprocessor(synthetic_batch(cfg), training=True)
    if 'PatchPermute' in pipeline:
        perm = data['data_samples'][0].patch_perm
        assert sorted(perm.tolist()) == list(range(len(perm)))
    # backward only where gradients are the point (T2T's first attention
    # over 56x56 tokens makes a backward pass at 224 px slow on CPU)
    with torch.set_grad_enabled(mode == 'linear'):
        losses = model.loss(data['inputs'], data['data_samples'])
    expected = {
        'upstream': {'loss_relation', 'loss_position'},
        'joint': {'loss_cls', 'loss_relation', 'loss_position'},
        'finetune': {'loss_cls'},
        'linear': {'loss_cls'},
    }[mode]
    assert {k for k in losses if k.startswith('loss')} == expected
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(total)
    if mode == 'linear':
        total.backward()
        assert all(p.grad is None for p in model.backbone.parameters())
        assert all(p.grad is not None for p in model.head.parameters())


def test_distance_and_angle_heads_are_a_config_delta(tmp_path):
    """The README's delta adding the distance and angle regressions."""
    joint = osp.join(CONFIG_DIR,
                     'relvit-joint_vit-tiny-p4_1xb64-30e_digits.py')
    cfg_path = tmp_path / 'relvit-dist-ang.py'
    cfg_path.write_text(f"""
_base_ = [{joint!r}]
model = dict(
    aux_heads=dict(
        distance=dict(
            type='PatchRelationHead', in_channels=96, task='distance'),
        angle=dict(type='PatchRelationHead', in_channels=96, task='angle')))
""")
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(str(cfg_path))
    from mmpretrain.registry import MODELS
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    data = model.data_preprocessor(synthetic_batch(cfg), training=True)
    with torch.no_grad():
        losses = model.loss(data['inputs'], data['data_samples'])
    assert {k
            for k in losses if k.startswith('loss')} == {
                'loss_cls', 'loss_relation', 'loss_position', 'loss_distance',
                'loss_angle'
            }
