"""The ``*-official`` presets of configs/drloc and configs/relvit: each one
carries the flags of the authors' released commands (see the "Official
presets" tables of the two READMEs), and the semantics those flags stand for
are pinned with values worked out by hand from the papers' and released
scripts' definitions, not by re-running this repository's code."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from conftest import REPO
from mmengine.config import Config

DRLOC_DIR = osp.join(REPO, 'configs', 'drloc')
RELVIT_DIR = osp.join(REPO, 'configs', 'relvit')

# name -> (mode, lambda, offset classes per axis or None)
DRLOC_PRESETS = {
    'drloc-official_swin-tiny-p4-w7_8xb128-101e_cifar10': ('l1', 0.5, None),
    'drloc-official_swin-tiny-p4-w7_8xb128-101e_in100': ('l1', 0.5, None),
    'drloc-ce-official_swin-tiny-p4-w7_8xb128-101e_in100': ('ce', 0.5, 7),
    'drloc-cbr-official_swin-tiny-p4-w7_8xb128-101e_in100': ('reg', 0.5, 7),
    'drloc-official_t2t-vit-t-14_8xb128-101e_in100': ('l1', 0.1, None),
    'drloc-ce-official_t2t-vit-t-14_8xb128-101e_in100': ('ce', 0.1, 14),
    'drloc-cbr-official_t2t-vit-t-14_8xb128-101e_in100': ('reg', 0.1, 14),
}

DRLOC_LOSSES = dict(l1='DrLocL1Loss', ce='DrLocCELoss', reg='DrLocRegLoss')

# name -> (mode, seed, data)
RELVIT_PRESETS = {
    row[0]: row[1:]
    for row in [
        ('relvit-official_vit-small-p4_1xb256-100e_cifar10', 'upstream', 35771,
         'cifar10'),
        ('relvit-joint-official_vit-small-p4_1xb256-100e_cifar10', 'joint',
         2022, 'cifar10'),
        ('vit-small-p4_relvit-official-pre_1xb256-100e_cifar10', 'finetune',
         35771, 'cifar10'),
        ('relvit-mega6-official_vit-small-p32_1xb256-100e_in100', 'upstream',
         35771, 'in100'),
        ('vit-small-p32_relvit-mega6-official-pre_1xb256-100e_in100',
         'finetune', 35771, 'in100'),
    ]
}
# the reference's constants.py statistics, x 255 (RGB)
STATS = {
    'cifar10': (255 * np.array([0.4914, 0.4822, 0.4465]),
                255 * np.array([0.2470, 0.2435, 0.2616])),
    'in100': (255 * np.array([0.4595, 0.4520, 0.3900]),
              255 * np.array([0.2547, 0.2385, 0.2548])),
}

# Ordered pairs (row, col) on a 7x7 grid: d = p1 - p2 =
# (-6, -6), (6, 6), (-2, 4), (0, 0), so |d| = (6, 6), (6, 6), (2, 4), (0, 0).
P1 = torch.tensor([[[0, 0], [6, 6], [2, 5], [3, 3]]])
P2 = torch.tensor([[[6, 6], [0, 0], [4, 1], [3, 3]]])
ABS_D = [[[6, 6], [6, 6], [2, 4], [0, 0]]]

pytestmark = pytest.mark.usefixtures('cached_metafiles')

_configs = {}


def load(directory, name):
    if name not in _configs:
        _configs[name] = Config.fromfile(osp.join(directory, name + '.py'))
    return _configs[name]


def drloc_head(name):
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    head_cfg = load(DRLOC_DIR, name).model.aux_heads.drloc.copy()
    head_cfg.setdefault('_scope_', 'mmpretrain')
    return MODELS.build(head_cfg)


def constant_output(head, *biases):
    """Zero the last layer(s) so the MLP outputs the given biases."""
    mlp = head.mlps[0]
    lasts = [mlp.trunk[-1]] if mlp.branches is None else list(mlp.branches)
    for layer, bias in zip(lasts, biases):
        nn.init.zeros_(layer.weight)
        with torch.no_grad():
            layer.bias.copy_(torch.as_tensor(bias, dtype=torch.float))


# ---------------------------------------------------------------------------
# DrLoc: the released train.sh (--use_abs, DRLOC_MODE l1 / ce / cbr)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize('name', sorted(DRLOC_PRESETS))
def test_drloc_preset_fields(name):
    mode, lam, classes = DRLOC_PRESETS[name]
    cfg = load(DRLOC_DIR, name)
    drloc = cfg.model.aux_heads.drloc
    loss = drloc.loss  # the objective and lambda (issue 18)
    assert loss.type == DRLOC_LOSSES[mode] and loss.loss_weight == lam
    assert loss.get('reduction', 'mean') == 'mean'  # F.l1_loss / CE means
    assert drloc.get('num_pairs', 64) == 64  # --sample_size 64
    if mode == 'l1':
        assert loss.target_norm == 'none'
        assert 'num_offset_classes' not in drloc
    else:
        assert loss.use_abs is True
        assert drloc.num_offset_classes == classes
        assert drloc.branch_style == 'code'
        assert loss.get('alpha', 0.001) == 0.001
        if mode == 'reg':
            assert loss.log_term == 'var'
    # the rest of train.sh / main.py
    assert cfg.train_dataloader.batch_size == 128  # x 8 GPUs
    assert cfg.train_cfg.max_epochs == 101
    assert dict(
        type='DrLocLambdaHook', warmup_epochs=20,
        decay_end_epoch=300) in cfg.custom_hooks
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('LinearLR', 20)
    assert (cosine.type, cosine.begin, cosine.T_max,
            cosine.eta_min) == ('CosineAnnealingLR', 0, 300, 1e-5)
    assert cfg.optim_wrapper.optimizer.lr == 1e-3
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.05
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=5.0)
    assert cfg.randomness.seed == 0 and cfg.randomness.diff_rank_seed
    assert cfg.default_hooks.checkpoint.save_best == 'accuracy/top1'


@pytest.mark.parametrize('backbone', ['swin-tiny-p4-w7', 't2t-vit-t-14'])
def test_drloc_official_l1_targets_are_raw_offsets(backbone):
    head = drloc_head(f'drloc-official_{backbone}_8xb128-101e_in100')
    got = head.get_targets(P1, P2, (7, 7))
    torch.testing.assert_close(got, torch.tensor(ABS_D, dtype=torch.float))
    # Constant prediction (1, 2): F.l1_loss averages over B * m * 2 values,
    # |6-1| + |6-2| + |6-1| + |6-2| + |2-1| + |4-2| + |0-1| + |0-2| = 24.
    constant_output(head, [1., 2.])
    x = torch.randn(1, head.in_channels[0], 7, 7)
    torch.testing.assert_close(
        head.loss_by_pairs(x, P1, P2), torch.tensor(24 / 8))


@pytest.mark.parametrize('backbone,classes', [('swin-tiny-p4-w7', 7),
                                              ('t2t-vit-t-14', 14)])
def test_drloc_official_ce(backbone, classes):
    head = drloc_head(f'drloc-ce-official_{backbone}_8xb128-101e_in100')
    # out_dim classes per axis (--use_abs), after the code's extra linear
    assert [b.out_features for b in head.mlps[0].branches] == [classes] * 2
    assert len(head.mlps[0].trunk) == 5
    assert head.get_targets(P1, P2, (7, 7)).tolist() == ABS_D
    # Rows favour class 6 (logit ln 3: p = 3 / (n + 2)), columns uniform:
    # -log p of the row targets 6, 6, 2, 0 and ln n per column.
    n = classes
    constant_output(head, [0.] * 6 + [math.log(3)] + [0.] * (n - 7), [0.] * n)
    rows = (2 * math.log((n + 2) / 3) + 2 * math.log(n + 2)) / 4
    x = torch.randn(1, head.in_channels[0], 7, 7)
    torch.testing.assert_close(
        head.loss_by_pairs(x, P1, P2), torch.tensor(rows + math.log(n)))


@pytest.mark.parametrize(
    'backbone,expected',
    [
        # uniform over 0..6: mu = 3, var = 4; rows (9+9+1+9)/4/4 = 1.75,
        # columns the same; plus 0.001 * log(var) per axis
        ('swin-tiny-p4-w7', 3.5 + 0.002 * math.log(4)),
        # uniform over 0..13: mu = 6.5, var = (14^2 - 1)/12 = 16.25;
        # rows (0.25+0.25+20.25+42.25) = 63, columns (0.25+0.25+6.25+42.25)
        # = 49, each / 16.25 / 4
        ('t2t-vit-t-14', 112 / 65 + 0.002 * math.log(16.25)),
    ])
def test_drloc_official_cbr(backbone, expected):
    head = drloc_head(f'drloc-cbr-official_{backbone}_8xb128-101e_in100')
    n = head.mlps[0].branches[0].out_features
    constant_output(head, [0.] * n, [0.] * n)
    x = torch.randn(1, head.in_channels[0], 7, 7)
    torch.testing.assert_close(
        head.loss_by_pairs(x, P1, P2), torch.tensor(expected))


def test_drloc_official_swin_refuses_a_larger_grid():
    # 7 unsigned classes hold |d| <= 6: an 8x8 grid is a configuration error
    head = drloc_head('drloc-ce-official_swin-tiny-p4-w7_8xb128-101e_in100')
    with pytest.raises(ValueError, match=r'Grid \(8, 8\)'):
        head.loss(torch.randn(1, 768, 8, 8))


# ---------------------------------------------------------------------------
# RelViT: the reference README's upstream / mega-patch / joint / finetune
# ---------------------------------------------------------------------------
def patch_augment_cfg(cfg):
    augs = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'PatchAugment'
    ]
    return augs[0] if augs else None


@pytest.mark.parametrize('name', sorted(RELVIT_PRESETS))
def test_relvit_preset_fields(name):
    mode, seed, data = RELVIT_PRESETS[name]
    cfg = load(RELVIT_DIR, name)
    # the README's flags: AdamW lr 5e-4, --weight_decay 0.1, clip 1.0,
    # --drop_path_rate 0.1, --dropout 0.0, batch 256, 100 epochs
    assert cfg.optim_wrapper.optimizer == dict(
        type='AdamW', lr=5e-4, weight_decay=0.1)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=1.0)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    backbone = cfg.model.backbone
    assert backbone.drop_path_rate == 0.1 and backbone.drop_rate == 0.
    assert cfg.train_dataloader.batch_size == 256
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.randomness.seed == seed
    mean, std = STATS[data]
    np.testing.assert_allclose(cfg.data_preprocessor.mean, mean, rtol=1e-4)
    np.testing.assert_allclose(cfg.data_preprocessor.std, std, rtol=1e-4)

    aug = patch_augment_cfg(cfg)
    if mode == 'upstream':
        # colJitter:0.8-grayScale:0.2 on the normalised image
        assert aug.jitter_space == 'normalized'
        assert list(aug.mean) == list(cfg.data_preprocessor.mean)
        assert list(aug.std) == list(cfg.data_preprocessor.std)
        for key in ('jitter_prob', 'gray_prob', 'jitter', 'crop_ratio'):
            assert key not in aug  # the defaults are the reference's
        assert cfg.model.head is None
        assert backbone.use_pos_embed is False
        assert cfg.val_dataloader is None
    else:
        # the supervised data set of the reference ignores --patch_trans
        assert aug is None
        assert backbone.get('use_pos_embed', True)
        assert cfg.default_hooks.checkpoint.save_best == 'accuracy/top1'
    types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert ('MegaPatches' in types) == (name.startswith('relvit-mega6'))
    if 'MegaPatches' in types:
        mega = cfg.train_dataloader.dataset.pipeline[types.index(
            'MegaPatches')]
        assert mega.num_side == 6  # --side_megapatches 6
        assert cfg.model.aux_heads.position.num_patches == 36
    if mode == 'finetune':
        upstream = osp.basename(
            osp.dirname(cfg.model.backbone.init_cfg.checkpoint))
        assert upstream in RELVIT_PRESETS
        assert RELVIT_PRESETS[upstream][0] == 'upstream'
        assert cfg.model.aux_heads is None


def build_patch_augment(name, **overrides):
    from mmpretrain.registry import TRANSFORMS

    import mmrelvit.datasets  # noqa: F401
    aug = patch_augment_cfg(load(RELVIT_DIR, name)).copy()
    aug.update(overrides)
    aug.setdefault('_scope_', 'mmpretrain')
    return TRANSFORMS.build(aug)


UPSTREAM = 'relvit-official_vit-small-p4_1xb256-100e_cifar10'


def test_normalized_jitter_maps_a_dark_patch_to_the_mean_colour():
    # The reference jitters normalised tensors and torchvision clamps every
    # blend to [0, 1], so a patch darker than the mean in every channel
    # (normalised values all negative) comes out as 0 = the mean colour,
    # whatever the drawn factors: CIFAR-10 mean x 255 = 125.3, 123.0, 113.9.
    np.random.seed(0)
    aug = build_patch_augment(UPSTREAM, jitter_prob=1., gray_prob=0.)
    img = np.full((8, 8, 3), 10, dtype=np.uint8)  # 2x2 patches of 4 px
    out = aug(dict(img=img.copy()))['img']
    assert (out.reshape(-1, 3) == [125, 123, 114]).all()
    # jittering pixels instead keeps the patch dark
    pixel = build_patch_augment(
        UPSTREAM, jitter_prob=1., gray_prob=0., jitter_space='pixel')
    assert pixel(dict(img=img.copy()))['img'].max() < 20


def test_normalized_jitter_leaves_no_negative_value():
    np.random.seed(1)
    aug = build_patch_augment(UPSTREAM, jitter_prob=1., gray_prob=0.)
    mean, std = STATS['cifar10']
    img = np.random.randint(0, 256, (32, 32, 3), dtype=np.uint8)
    assert ((img - mean) / std < -0.5).mean() > 0.2
    out = aug(dict(img=img))['img']
    z = (out.astype(np.float64) - mean) / std
    # within [0, 1] up to the uint8 rounding of the pixel round trip
    tol = 0.5 / std.min()
    assert z.min() >= -tol and z.max() <= 1 + tol


def test_grayscale_luma_is_taken_in_normalized_space():
    # One patch of colour (200, 100, 50), no crop, no jitter, grayscale:
    # normalised z = ((200-125.307)/62.985, (100-122.961)/62.093,
    # (50-113.8575)/66.708) = (1.18589, -0.36978, -0.95727), luma
    # 0.2989 z_r + 0.587 z_g + 0.114 z_b = 0.02827, back to pixels
    # 0.02827 * std + mean = (127.09, 124.72, 115.74).
    # In 'pixel' space the luma is 0.2989*200 + 0.587*100 + 0.114*50 = 124.18
    img = np.empty((4, 4, 3), dtype=np.uint8)
    img[:] = (200, 100, 50)
    kwargs = dict(jitter_prob=0., gray_prob=1., crop_ratio=1.)
    out = build_patch_augment(UPSTREAM, **kwargs)(dict(img=img.copy()))['img']
    assert (out.reshape(-1, 3) == [127, 125, 116]).all()
    out = build_patch_augment(
        UPSTREAM, jitter_space='pixel', **kwargs)(dict(img=img.copy()))['img']
    assert (out.reshape(-1, 3) == [124, 124, 124]).all()
