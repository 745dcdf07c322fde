"""Every DrLoc config builds the head it built before the loss split.

Issue 18 moved DrLoc's objectives out of ``DrLocHead`` into loss modules and
the configs to ``loss=dict(type=...)``. For each config under configs/ that
builds a ``DrLocHead`` (or defines one for its leaves), the head is built
tiny (``in_channels=C``, ``hidden_channels=HIDDEN``), initialised from a
fixed seed and run on a fixed batch with fixed pair draws; its loss and the
gradients w.r.t. the features and every parameter must match those recorded
with the code before the split (``tests/golden/drloc_split.json``).

The golden file is written by running this module as a script. That only
means something with the pre-split code (commit "tests: DrLoc split golden
values"); do not regenerate it to make a failing comparison pass.
"""
import copy
import glob
import json
import math
import os.path as osp
import re
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
GOLDEN = osp.join(REPO, 'tests', 'golden', 'drloc_split.json')
# Tiny head on the paper's 7x7 grid, which every configured classifier fits.
C, HIDDEN, BATCH, GRID = 16, 32, 2, (7, 7)
SEED = 0
# Text that defines or takes a DrLoc head: the head type, the variable of
# the _base_/models/drloc_* files and the one of the det/seg bases.
MENTIONS = re.compile(r'DrLocHead|drloc_head|drloc_joint')


def _legacy_matrix():
    """Old-keyword heads covering the objectives no config uses (signed L1,
    'unit' targets, the paper's reduction, signed classes, log(sigma))."""
    heads = []
    for norm in ('paper', 'none', 'unit'):
        for reduction in ('mean', 'paper'):
            heads.append(
                dict(mode='l1', target_norm=norm, reduction=reduction))
            if norm != 'none':
                heads.append(
                    dict(
                        mode='l1_signed',
                        target_norm=norm,
                        reduction=reduction))
    for mode in ('ce', 'reg'):
        for use_abs in (False, True):
            for reduction in ('mean', 'paper'):
                heads.append(
                    dict(
                        mode=mode,
                        grid_size=7,
                        use_abs=use_abs,
                        reduction=reduction))
    heads += [
        dict(mode='ce', num_offset_classes=13, branch_style='code'),
        dict(mode='reg', grid_size=(7, 8), reg_log_term='var'),
        dict(mode='reg', grid_size=7, reg_alpha=0.5, loss_weight=2.),
    ]
    return [dict(type='DrLocHead', **h) for h in heads]


LEGACY = _legacy_matrix()


def _rel(path):
    return osp.relpath(path, REPO).replace(osp.sep, '/')


def discover():
    """Configs that mention a DrLoc head, plus every config inheriting from
    a non-_base_ one of them (a leaf tweaking a DrLoc leaf)."""
    from mmengine.config import Config
    files = sorted(
        glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
    found = set()
    for path in files:
        with open(path, encoding='utf-8') as f:
            if MENTIONS.search(f.read()):
                found.add(path)
    bases = {
        path: [
            osp.normpath(osp.join(osp.dirname(path), b))
            for b in Config._get_base_files(path) if '::' not in b
        ]
        for path in files
    }
    leaves = {p for p in found if '/_base_/' not in _rel(p)}
    grown = True
    while grown:
        new = {p for p in files if p not in found and leaves & set(bases[p])}
        found |= new
        leaves |= new
        grown = bool(new)
    return sorted(_rel(p) for p in found)


def _heads(obj, path=''):
    """``(dotted path, cfg)`` of every DrLocHead dict inside ``obj``."""
    if isinstance(obj, dict):
        if obj.get('type') == 'DrLocHead':
            yield path, obj
        for key, value in obj.items():
            yield from _heads(value, f'{path}.{key}' if path else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _heads(value, f'{path}[{i}]')


def config_heads(rel_path, load):
    """The DrLoc heads a config builds (``model...``) or, for a _base_
    file, defines in any variable."""
    cfg = load(osp.join(REPO, rel_path)).to_dict()
    heads = dict(_heads(cfg))
    if not rel_path.startswith('configs/_base_/'):
        heads = {k: v for k, v in heads.items() if k.startswith('model.')}
    return heads


def _summary(t):
    """sum, sum of squares and the first four entries of a tensor."""
    t = t.detach().double().flatten()
    return [t.sum().item(), t.pow(2).sum().item()] + t[:4].tolist()


def run_head(head_cfg):
    """Loss and gradient summaries of a tiny copy of a configured head."""
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    cfg = copy.deepcopy(head_cfg)
    cfg.update(in_channels=C, hidden_channels=HIDDEN)
    cfg.setdefault('_scope_', 'mmpretrain')
    torch.manual_seed(SEED)
    head = MODELS.build(cfg)
    head.init_weights()
    x = torch.randn(
        BATCH, C, *GRID,
        generator=torch.Generator().manual_seed(SEED + 1)).requires_grad_()
    torch.manual_seed(SEED + 2)  # the pair draws
    loss = head.loss(x)['loss_drloc']
    loss.backward()
    grads = {'x': _summary(x.grad)}
    grads.update(
        (name, _summary(p.grad)) for name, p in head.named_parameters())
    return dict(loss=loss.item(), grads=grads)


class ConfigLoader:
    """``Config.fromfile`` that parses each file once: the 131 configs
    share a few dozen bases, and mmengine re-reads (through temporary
    files) every base of every leaf."""

    def __enter__(self):
        from mmengine.config import Config
        self.original = Config.__dict__['_file2dict']
        parsed = {}
        file2dict = self.original.__func__

        def cached(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            if key not in parsed:
                parsed[key] = file2dict(*args, **kwargs)
            return copy.deepcopy(parsed[key])

        Config._file2dict = staticmethod(cached)
        return Config.fromfile

    def __exit__(self, *exc):
        from mmengine.config import Config
        Config._file2dict = self.original


def make_golden():
    """Record the losses and gradients of every DrLoc config (run by hand,
    with the pre-split code)."""
    variants, configs = [], {}
    with ConfigLoader() as load:
        for rel_path in discover():
            heads = config_heads(rel_path, load)
            if not heads:
                continue
            configs[rel_path] = {}
            for key, head_cfg in sorted(heads.items()):
                old = json.loads(json.dumps(head_cfg))
                ids = [i for i, v in enumerate(variants) if v['cfg'] == old]
                if not ids:
                    variants.append(dict(cfg=old, **run_head(head_cfg)))
                    ids = [len(variants) - 1]
                configs[rel_path][key] = ids[0]
    legacy = [dict(cfg=cfg, **run_head(cfg)) for cfg in LEGACY]
    golden = dict(
        setup=dict(
            in_channels=C,
            hidden_channels=HIDDEN,
            batch=BATCH,
            grid=list(GRID),
            seed=SEED),
        configs=configs,
        variants=variants,
        legacy=legacy)
    with open(GOLDEN, 'w') as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'{len(configs)} configs, {len(variants)} distinct heads -> '
          f'{GOLDEN}')


def max_abs_diff(got, want):
    """Largest absolute difference between two run_head results."""
    diffs = [abs(got['loss'] - want['loss'])]
    assert set(got['grads']) == set(want['grads'])
    for name, values in want['grads'].items():
        diffs += [abs(a - b) for a, b in zip(got['grads'][name], values)]
    return max(diffs)


def assert_same(got, want):
    assert math.isclose(
        got['loss'], want['loss'], rel_tol=1e-6,
        abs_tol=1e-6), (got['loss'], want['loss'])
    assert set(got['grads']) == set(want['grads'])
    for name, values in want['grads'].items():
        for a, b in zip(got['grads'][name], values):
            assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6), \
                (name, got['grads'][name], values)


@pytest.fixture(scope='module')
def golden():
    with open(GOLDEN) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def current(golden, cached_metafiles):
    """Heads of every DrLoc config now, with their run results (one run
    per distinct head config)."""
    out, runs = {}, {}
    with ConfigLoader() as load:
        for rel_path in discover():
            heads = config_heads(rel_path, load)
            for key, head_cfg in heads.items():
                text = json.dumps(head_cfg, sort_keys=True)
                if text not in runs:
                    runs[text] = run_head(head_cfg)
                out.setdefault(rel_path, {})[key] = runs[text]
    return out


def test_every_drloc_config_is_recorded(golden, current):
    # no DrLoc config was lost or gained a head by the conversion
    assert set(current) == set(golden['configs'])
    for rel_path, heads in golden['configs'].items():
        assert set(current[rel_path]) == set(heads), rel_path


def test_loss_and_gradients_match_the_pre_split_code(golden, current):
    assert len(golden['configs']) > 100
    worst = 0.
    for rel_path, heads in sorted(golden['configs'].items()):
        for key, index in heads.items():
            got, want = current[rel_path][key], golden['variants'][index]
            try:
                assert_same(got, want)
            except AssertionError as e:
                raise AssertionError(f'{rel_path} ({key}): {e}') from None
            worst = max(worst, max_abs_diff(got, want))
    print(f'max abs diff over {len(golden["configs"])} configs: {worst:.3g}')


def test_legacy_keywords_match_the_pre_split_code(golden):
    # the old DrLocHead(mode=..., ...) keywords resolve to the same losses
    assert [g['cfg']
            for g in golden['legacy']] == json.loads(json.dumps(LEGACY))
    for want in golden['legacy']:
        try:
            assert_same(run_head(want['cfg']), want)
        except AssertionError as e:
            raise AssertionError(f'{want["cfg"]}: {e}') from None


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    make_golden()
