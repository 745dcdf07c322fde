"""Resuming reproduces an uninterrupted run bit for bit (weights and
optimizer state), after a clean stop and after SIGKILL."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from conftest import REPO, run_tool, tiny_digits_config

import mmrelvit  # noqa: F401  (loads mmengine checkpoints weights_only)

MAX_ITERS = 12


def load(path):
    # weights_only (torch's default) works thanks to mmrelvit's allow-list
    return torch.load(path, map_location='cpu')


def assert_same_state(a, b):
    ckpt_a, ckpt_b = load(a), load(b)
    sd_a, sd_b = ckpt_a['state_dict'], ckpt_b['state_dict']
    assert sd_a.keys() == sd_b.keys()
    for k in sd_a:
        assert torch.equal(sd_a[k], sd_b[k]), k
    opt_a, opt_b = ckpt_a['optimizer'], ckpt_b['optimizer']
    assert opt_a['param_groups'] == opt_b['param_groups']
    assert opt_a['state'].keys() == opt_b['state'].keys()
    for i in opt_a['state']:
        for k, v in opt_a['state'][i].items():
            assert torch.equal(v, opt_b['state'][i][k]), (i, k)
    assert ckpt_a['meta']['iter'] == ckpt_b['meta']['iter'] == MAX_ITERS


@pytest.fixture(scope='module')
def reference(tmp_path_factory, digits_root):
    """An uninterrupted run; both tests compare against its last state."""
    tmp_path = tmp_path_factory.mktemp('reference')
    cfg = tiny_digits_config(
        tmp_path, digits_root, max_iters=MAX_ITERS, ckpt_interval=2)
    work = tmp_path / 'work'
    run_tool(['tools/train.py', cfg, '--work-dir', work])
    return cfg, work / f'iter_{MAX_ITERS}.pth'


def test_resume_equals_uninterrupted(tmp_path, reference):
    cfg, reference = reference
    half = MAX_ITERS // 2
    work = tmp_path / 'resumed'
    run_tool([
        'tools/train.py', cfg, '--work-dir', work, '--cfg-options',
        f'train_cfg.max_iters={half}'
    ])
    assert (work / f'iter_{half}.pth').is_file()
    run_tool([
        'tools/train.py', cfg, '--work-dir', work, '--resume',
        work / f'iter_{half}.pth'
    ])
    assert_same_state(reference, work / f'iter_{MAX_ITERS}.pth')
    # the random stream really was used: stochastic depth is on
    assert load(reference)['rng_state']['torch'].numel() > 0


SLOW_HOOK = '''
import time
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SlowDownHook(Hook):
    """Leaves time to kill the process between two checkpoints."""

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        time.sleep(0.5)
'''


def test_resume_after_sigkill(tmp_path, reference):
    cfg, reference = reference
    (tmp_path / 'slow_hook.py').write_text(SLOW_HOOK)
    slow_cfg = tmp_path / 'slow.py'
    slow_cfg.write_text(
        f'_base_ = [{cfg!r}]\n'
        'custom_imports = dict(imports=[\'mmrelvit.models\', '
        '\'mmrelvit.datasets\', \'mmrelvit.engine\', \'slow_hook\'])\n'
        'custom_hooks = [dict(type=\'RNGStateHook\'), '
        'dict(type=\'SlowDownHook\')]\n')
    work = tmp_path / 'killed'
    proc = subprocess.Popen([
        sys.executable, 'tools/train.py',
        str(slow_cfg), '--work-dir',
        str(work)
    ],
                            cwd=REPO,
                            env=dict(
                                os.environ, PYTHONPATH=f'{REPO}:{tmp_path}'),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (work / 'last_checkpoint').exists():
        assert proc.poll() is None, 'training ended before a checkpoint'
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(0.7)  # kill mid-run, between two checkpoints
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert not (work / f'iter_{MAX_ITERS}.pth').exists()

    run_tool(['tools/train.py', cfg, '--work-dir', work, '--resume'])
    assert_same_state(reference, work / f'iter_{MAX_ITERS}.pth')
