"""configs/drloc: every config parses and builds, each backbone feeds DrLoc
the grid the paper describes, and the data pipelines run (no real data)."""
import functools
import glob
import os.path as osp

import mmcv
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import REPO
from mmengine.config import Config
from mmengine.config import config as mmengine_config

CFG_DIR = osp.join(REPO, 'configs', 'drloc')
CONFIGS = sorted(glob.glob(osp.join(CFG_DIR, '*.py')))
BASE_DIR = osp.join(REPO, 'configs', '_base_')

# Paper / code lambda per backbone type.
LAMBDAS = {
    'SwinTransformer': 0.5,
    'TokenT2TViT': 0.1,
    'CvT': 0.1,
    'TokenViT': 0.01,
    'ResNet': 0.5,
}


@pytest.fixture(scope='module', autouse=True)
def cached_external_configs():
    """mmengine re-imports pkg_resources and reads mmpretrain's 340
    metafiles for every ``mmpretrain::`` base (~0.5 s each); resolve each
    name once."""
    original = mmengine_config._get_external_cfg_path
    cache = {}

    def cached(package_path, cfg_file):
        key = (package_path, cfg_file)
        if key not in cache:
            try:
                cache[key] = original(package_path, cfg_file)
            except ValueError as e:
                cache[key] = e
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    patches = dict(
        _get_external_cfg_path=cached,
        is_installed=functools.lru_cache(None)(mmengine_config.is_installed),
        get_installed_path=functools.lru_cache(None)(
            mmengine_config.get_installed_path))
    originals = {k: getattr(mmengine_config, k) for k in patches}
    for k, v in patches.items():
        setattr(mmengine_config, k, v)
    yield
    for k, v in originals.items():
        setattr(mmengine_config, k, v)


def build_model(cfg):
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    model_cfg = cfg.model.copy()
    # what the Runner does with a top-level data_preprocessor
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def inheritance_depth(path):
    """Length of the longest ``_base_`` chain from ``path`` (1 = no base)."""
    if '::' in path:
        package, rel = path.split('::')
        path = osp.join(
            osp.dirname(__import__(package).__file__), '.mim', 'configs', rel)
    text = Config._get_base_files(path) if osp.isfile(path) else []
    return 1 + max((inheritance_depth(
        b if '::' in b else osp.normpath(osp.join(osp.dirname(path), b)))
                    for b in text),
                   default=0)


def test_config_matrix_is_complete():
    names = {osp.basename(p)[:-3] for p in CONFIGS}
    domains = [
        f'domainnet-{d}' for d in ('clipart', 'infograph', 'painting',
                                   'quickdraw', 'real', 'sketch')
    ]
    data = ['cifar10', 'cifar100', 'flowers102', 'svhn'] + domains
    expected = set()
    for pfx in ('', 'drloc_'):
        for bb in ('swin-tiny-p4-w7', 't2t-vit-t-14', 'cvt-13', 'resnet50'):
            expected |= {f'{pfx}{bb}_8xb128-100e_{d}' for d in data}
            expected |= {f'{pfx}{bb}_8xb128-{e}e_in100' for e in (100, 300)}
        for bb in ('swin-tiny-p4-w7', 't2t-vit-t-14', 'resnet50'):
            expected |= {f'{pfx}{bb}_in1k-pre_8xb128-100e_{d}' for d in data}
        for bb in ('swin-tiny-p4-w7', 't2t-vit-t-14', 'vit-small-p16'):
            expected.add(f'{pfx}{bb}_8xb128-300e_in1k')
        for d in ('cifar10', 'cifar100', 'domainnet-infograph'):
            expected.add(f'{pfx}vit-base-p16_8xb128-100e_{d}')
        for bb in ('swin-mini-p2-w4', 't2t-vit-mini', 'cvt-mini',
                   'resnet18-mini'):
            expected.add(f'{pfx}{bb}_1xb64-30e_digits')
    expected |= {
        'drloc_vit-tiny-p4_1xb64-30e_digits',
        'drloc-relvit_vit-tiny-p4_1xb64-30e_digits',
        'drloc-official_swin-tiny-p4-w7_8xb128-101e_cifar10',
    }
    # the released train.sh (--use_abs) per DRLOC_MODE, on ImageNet-100
    for mode in ('', '-ce', '-cbr'):
        for bb in ('swin-tiny-p4-w7', 't2t-vit-t-14'):
            expected.add(f'drloc{mode}-official_{bb}_8xb128-101e_in100')
    assert names == expected, (sorted(names - expected),
                               sorted(expected - names))


_built = {}


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.basename(p)[:-3] for p in CONFIGS])
def test_config_parses_and_builds(path):
    name = osp.basename(path)[:-3]
    assert inheritance_depth(path) <= 3
    cfg = Config.fromfile(path)
    model = cfg.model
    head = model.head

    # Mixup / CutMix one-hot labels and the head must agree.
    assert head.num_classes == cfg.data_preprocessor.num_classes
    if 'in1k' in name.split('_')[-1]:
        assert head.num_classes == 1000
    if '_in1k-pre_' in name:
        init = model.backbone.init_cfg
        assert init.type == 'Pretrained' and init.prefix == 'backbone.'
        assert init.checkpoint.startswith('https://download.openmmlab.com/')
    else:
        init = model.backbone.get('init_cfg') or {}
        assert not (isinstance(init, dict) and init.get('type')
                    == 'Pretrained'), 'from-scratch config loads weights'

    aux = model.get('aux_heads') or {}
    with_drloc = name.split('_')[0].startswith('drloc')
    assert ('drloc' in aux) == with_drloc
    if with_drloc:
        # DrLoc reads the grid the classifier sees: same channels
        assert aux.drloc.in_channels == head.in_channels
        if not name.endswith('digits'):
            assert aux.drloc.loss.loss_weight == LAMBDAS[model.backbone.type]
    if name.startswith('drloc-relvit'):
        assert set(aux) == {'relation', 'position', 'drloc'}

    # Build each backbone / classifier layout once (class count, weight
    # source and aux heads aside), then each config's aux heads.
    from mmpretrain.registry import MODELS
    key_cfg = model.copy()
    key_cfg.pop('aux_heads', None)
    key_cfg.backbone.pop('init_cfg', None)
    key_cfg.head.num_classes = 1
    key = Config(dict(model=key_cfg)).pretty_text
    if key not in _built:
        _built[key] = build_model(cfg)
    assert type(_built[key]).__name__ == 'AuxSSLClassifier'
    for head_cfg in aux.values():
        head_cfg = head_cfg.copy()
        head_cfg.setdefault('_scope_', 'mmpretrain')
        MODELS.build(head_cfg)


def _hook_outputs(module):
    outs = []
    handle = module.register_forward_hook(lambda m, i, o: outs.append(o))
    return outs, handle


# backbone type: (grid channels, raw backbone grid side, classifier input)
GRIDS = {
    'drloc_swin-tiny-p4-w7_8xb128-100e_cifar10': (768, 7, 'map'),
    'drloc_t2t-vit-t-14_8xb128-100e_cifar10': (384, 14, 'token'),
    'drloc_cvt-13_8xb128-100e_cifar10': (384, 14, 'map'),
    'drloc_resnet50_8xb128-100e_cifar10': (2048, 7, 'map'),
    'drloc_vit-base-p16_8xb128-100e_cifar10': (768, 14, 'token'),
}
# backbone parameters (M): Swin-T 27.5, T2T-ViT_t-14 21.1, CvT-13 (no
# classifier) 19.6, ResNet-50 23.5, ViT-B/16 85.8
PARAMS = {
    'SwinTransformer': 27.5,
    'TokenT2TViT': 21.1,
    'CvT': 19.6,
    'ResNet': 23.5,
    'TokenViT': 85.8,
}


@torch.no_grad()
def test_real_backbones_feed_a_7x7_grid_at_224():
    torch.manual_seed(0)
    x = torch.randn(1, 3, 224, 224)
    for name, (channels, side, cls_input) in GRIDS.items():
        cfg = Config.fromfile(osp.join(CFG_DIR, name + '.py'))
        model = build_model(cfg).eval()
        btype = type(model.backbone).__name__
        params = sum(p.numel() for p in model.backbone.parameters()) / 1e6
        assert params == pytest.approx(PARAMS[btype], rel=0.01), name

        raw, handle = _hook_outputs(model.backbone)
        feats, grids = model.extract_tokens(x)
        handle.remove()
        raw = raw[0][-1]
        raw_grid = raw[0] if isinstance(raw, tuple) else raw
        assert raw_grid.shape == (1, channels, side, side), name
        assert grids[-1].shape == (1, channels, 7, 7), name
        if side == 14:
            # the authors' pooling, not a 2x2 one
            expected = F.avg_pool2d(raw_grid, 3, 2, 1, count_include_pad=False)
            torch.testing.assert_close(grids[-1], expected)
        else:
            assert model.grid_pool is None and grids[-1] is raw_grid
        if cls_input == 'token':
            assert feats[-1].shape == (1, channels), name
        else:
            assert feats[-1] is raw_grid, name

        head = model.aux_heads.drloc
        assert head.loss_weight == LAMBDAS[btype]
        loss = head.loss(grids[-1])['loss_drloc']
        assert torch.isfinite(loss) and loss > 0
        logits = model.head(model.neck(feats) if model.with_neck else feats)
        assert logits.shape == (1, 10)


def _pipeline(cfg, split):
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope

    import mmrelvit.datasets  # noqa: F401

    # what the runtime's default_scope does in a real run
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return Compose(cfg[f'{split}_dataloader'].dataset.pipeline)


@pytest.mark.parametrize('data', [
    'cifar10', 'cifar100', 'flowers102', 'svhn', 'domainnet', 'imagenet100',
    'imagenet'
])
def test_data_pipelines_give_224px(data, tmp_path):
    cfg = Config.fromfile(
        osp.join(BASE_DIR, 'datasets', f'drloc_{data}_bs128_224.py'))
    assert cfg.train_dataloader.batch_size == 128
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    if data.startswith('cifar'):
        # mmpretrain's CIFAR yields RGB arrays: fill colours in RGB order
        assert cfg.data_preprocessor.to_rgb is False
        ra = [t for t in cfg.train_pipeline if t.type == 'RandAugment'][0]
        assert ra.hparams.pad_val == [124, 116, 104]
        sample = dict(img=img, gt_label=3)
    else:
        assert cfg.data_preprocessor.get('to_rgb', True)
        path = str(tmp_path / 'x.png')
        mmcv.imwrite(img, path)
        sample = dict(img_path=path, gt_label=3)
    for split in ('train', 'val'):
        out = _pipeline(cfg, split)(dict(sample))
        assert out['inputs'].shape == (3, 224, 224), split
        assert out['data_samples'].gt_label.item() == 3


def test_domainnet_and_folder_datasets_read_the_official_layouts(tmp_path):
    from mmpretrain.registry import DATASETS
    root = tmp_path / 'domainnet'
    for i, cls in enumerate(('aircraft_carrier', 'zebra')):
        (root / 'sketch' / cls).mkdir(parents=True)
        mmcv.imwrite(
            np.zeros((8, 8, 3), np.uint8),
            str(root / 'sketch' / cls / f'sketch_{i}.jpg'))
    (root / 'sketch_train.txt').write_text(
        'sketch/aircraft_carrier/sketch_0.jpg 0\n'
        'sketch/zebra/sketch_1.jpg 344\n')
    cfg = Config.fromfile(
        osp.join(CFG_DIR, 'drloc_cvt-13_8xb128-100e_domainnet-sketch.py'))
    assert cfg.val_dataloader.dataset.ann_file == 'sketch_test.txt'
    assert cfg.test_dataloader.dataset.ann_file == 'sketch_test.txt'
    ds_cfg = cfg.train_dataloader.dataset.copy()
    ds_cfg.update(data_root=str(root), pipeline=[])
    ds = DATASETS.build(ds_cfg)
    assert [ds.get_data_info(i)['gt_label'] for i in range(2)] == [0, 344]
    assert osp.isfile(ds.get_data_info(1)['img_path'])

    # SVHN: class folders 0..9, label = digit
    svhn = tmp_path / 'svhn'
    for label in range(10):
        (svhn / 'test' / str(label)).mkdir(parents=True)
        mmcv.imwrite(
            np.zeros((8, 8, 3), np.uint8),
            str(svhn / 'test' / str(label) / f'{label}.png'))
    cfg = Config.fromfile(
        osp.join(BASE_DIR, 'datasets', 'drloc_svhn_bs128_224.py'))
    ds_cfg = cfg.val_dataloader.dataset.copy()
    ds_cfg.update(data_root=str(svhn), pipeline=[])
    ds = DATASETS.build(ds_cfg)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert osp.basename(info['img_path']) == f"{info['gt_label']}.png"
    # a missing class folder would silently shift every label
    (svhn / 'test' / '3' / '3.png').unlink()
    (svhn / 'test' / '3').rmdir()
    with pytest.raises(AssertionError, match='subfolders'):
        DATASETS.build(ds_cfg)


@pytest.mark.parametrize('name,trunc_normal', [
    ('drloc_swin-mini-p2-w4_1xb64-30e_digits', True),
    ('drloc_t2t-vit-mini_1xb64-30e_digits', True),
    ('drloc_vit-tiny-p4_1xb64-30e_digits', False),
    ('drloc_cvt-mini_1xb64-30e_digits', False),
    ('drloc_resnet18-mini_1xb64-30e_digits', False),
])
def test_drloc_mlp_init_follows_the_authors(name, trunc_normal):
    """Swin and T2T initialise the DrLoc MLP trunc-normal(0.02) (through the
    model's init_cfg); the authors' ViT, CvT and ResNet keep PyTorch's
    default, uniform within 1 / sqrt(fan_in). Either way the head's own
    init_cfg is None, so the result does not depend on whether the wrapper
    runs the aux heads' init_cfg."""
    torch.manual_seed(0)
    model = build_model(Config.fromfile(osp.join(CFG_DIR, name + '.py')))
    model.init_weights()
    weight = model.aux_heads.drloc.mlps[0].trunk[0].weight
    bound = weight.size(1)**-0.5
    # uniform(-bound, bound) has std bound / sqrt(3): 0.042 for 2C = 192
    expected = 0.02 if trunc_normal else bound / 3**0.5
    assert weight.std().item() == pytest.approx(expected, rel=0.05)
    assert (weight.abs().max() <= bound) != trunc_normal
