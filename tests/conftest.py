"""Shared fixtures: the generated digits data and helpers to run the
launchers in subprocesses, as a user would."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SUPERVISED_CFG = osp.join(REPO, 'configs', 'vit',
                          'vit-tiny-p4_1xb64-30e_digits.py')


@pytest.fixture(autouse=True)
def isolated_default_scope():
    """mmengine keeps the default scope (and visualizers) as process-wide
    singletons: a test that builds an mmdet model would otherwise leave
    'mmdet' as the scope of every later bare ``MODELS.build``."""
    from mmengine.registry import DefaultScope
    from mmengine.visualization import Visualizer
    yield
    DefaultScope._instance_dict.clear()
    Visualizer._instance_dict.clear()


@pytest.fixture(scope='module')
def cached_metafiles():
    """mmengine resolves every ``mmpretrain::_base_/...`` path by first
    parsing all ~170 metafiles of mmpretrain (then falling back to the base
    file); they do not change during the tests, so a config-heavy module
    reads them once."""
    import mmengine.config.utils as cfg_utils
    original, cache = cfg_utils.load, {}

    def load(path, *args, **kwargs):
        if path not in cache:
            cache[path] = original(path, *args, **kwargs)
        return cache[path]

    cfg_utils.load = load
    yield
    cfg_utils.load = original


@pytest.fixture(scope='session')
def digits_root(tmp_path_factory):
    """The classification tree written by the real generator."""
    from mmrelvit.datasets.digits import write_classification
    root = tmp_path_factory.mktemp('digits') / 'cls'
    return write_classification(str(root))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_tool(args, *, env=None, timeout=600, check=True, **kwargs):
    """Run ``args`` (a launcher and its arguments) from the repo root with
    this interpreter; return the completed process (text output)."""
    env = dict(env or {})
    full_env = dict(os.environ)
    # extra import paths (e.g. test-only hooks) come before the inherited
    full_env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO, env.pop('PYTHONPATH', None),
                    full_env.get('PYTHONPATH')) if p)
    full_env.setdefault('PYTHON', sys.executable)
    full_env.update(env)
    if args[0].endswith('.py'):
        args = [sys.executable] + list(args)
    proc = subprocess.run([str(a) for a in args],
                          cwd=REPO,
                          env=full_env,
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} exited {proc.returncode}\n'
                             f'stdout:\n{proc.stdout[-4000:]}\n'
                             f'stderr:\n{proc.stderr[-8000:]}')
    return proc


def tiny_digits_config(tmp_path,
                       digits_root,
                       *,
                       max_iters=8,
                       ckpt_interval=4,
                       extra=''):
    """Write a config inheriting the real supervised digits config, shrunk
    to a 2-layer 32-d ViT trained for ``max_iters`` iterations."""
    text = f'''
_base_ = [{SUPERVISED_CFG!r}]
model = dict(
    backbone=dict(arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            feedforward_channels=64)),
    head=dict(in_channels=32))
train_dataloader = dict(batch_size=16, num_workers=0,
                        persistent_workers=False,
                        dataset=dict(data_root={digits_root!r}))
val_dataloader = dict(batch_size=64, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={digits_root!r}))
test_dataloader = val_dataloader
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                 max_iters={max_iters}, val_interval={max_iters})
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, end=4),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=4, end=64),
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval={ckpt_interval},
                    max_keep_ckpts=-1))
{extra}
'''
    path = tmp_path / 'tiny_digits.py'
    path.write_text(text)
    return str(path)
