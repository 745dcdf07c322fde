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
    # the random streams are in the checkpoint, one set per rank
    state = load(reference)['rng_state']
    assert state['world_size'] == 1 and len(state['ranks']) == 1
    assert state['ranks'][0]['torch'].numel() > 0
    assert state['ranks'][0]['numpy']['key'].shape == (624, )


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


def test_rng_state_round_trip_through_checkpoint(tmp_path):
    """torch, numpy and python streams come back exactly, from a file
    loaded with weights_only."""
    import random

    import numpy as np

    from mmrelvit.engine.hooks.rng_state_hook import (capture_rng_state,
                                                      restore_rng_state)
    torch.manual_seed(1)
    np.random.seed(2)
    random.seed(3)
    np.random.normal()  # a cached gaussian is part of numpy's state
    torch.save(dict(rng_state=capture_rng_state()), tmp_path / 'c.pth')
    expected = (torch.rand(3), np.random.rand(3), np.random.normal(),
                random.random())
    torch.manual_seed(4)
    np.random.seed(5)
    random.seed(6)
    restore_rng_state(load(tmp_path / 'c.pth')['rng_state'])
    got = (torch.rand(3), np.random.rand(3), np.random.normal(),
           random.random())
    assert torch.equal(got[0], expected[0])
    assert np.array_equal(got[1], expected[1])
    assert got[2:] == expected[2:]


def test_worker_seeds_depend_on_epoch_rank_and_worker_only():
    from mmrelvit.engine.hooks.worker_init import worker_seeds
    seeds = {
        worker_seeds(0, e, r, w)
        for e in range(3)
        for r in range(2)
        for w in range(2)
    }
    assert len(seeds) == 12
    assert worker_seeds(7, 2, 1, 0) == worker_seeds(7, 2, 1, 0)
    assert worker_seeds(7, 2, 1, 0) != worker_seeds(8, 2, 1, 0)


def test_inexact_resume_warns(tmp_path):
    """A resumed run that cannot be bit-identical says why at start."""
    import logging
    from types import SimpleNamespace

    from mmengine.runner import EpochBasedTrainLoop

    from mmrelvit.engine.hooks import RNGStateHook
    from mmrelvit.engine.hooks.rng_state_hook import capture_rng_state
    hook = RNGStateHook()
    loader = torch.utils.data.DataLoader(
        list(range(40)), batch_size=8, num_workers=0)
    runner = SimpleNamespace(
        iter=7,
        train_dataloader=loader,
        train_loop=object.__new__(EpochBasedTrainLoop),
        logger=logging.getLogger('test_inexact_resume_warns'))
    hook.after_load_checkpoint(
        runner,
        dict(
            meta=dict(epoch=1, iter=7),
            rng_state=dict(
                version=2,
                ranks=[capture_rng_state()],
                world_size=1,
                num_workers=2,
                batch_size=8)))
    with pytest.warns(UserWarning) as record:
        assert hook._take_pending(runner) is not None
    message = str(record[0].message)
    assert 'num_workers was 2, now 0' in message
    assert ('saved at iteration 7, inside epoch 2 (5 iterations per '
            'epoch)') in message
    assert 'batch_size' not in message


def test_sigkill_resume_epochs_without_workers(tmp_path, digits_root):
    """Epoch-based, augmentation in the main process (numpy's stream), the
    resumed run without validation: still bit-identical."""
    from test_resume_workers import sigkill_and_resume
    sigkill_and_resume(tmp_path, digits_root, workers=0)


def test_unresumable_settings_warn_at_start():
    import logging
    from types import SimpleNamespace

    from mmengine.config import Config
    from mmengine.runner import EpochBasedTrainLoop

    from mmrelvit.engine.hooks import RNGStateHook
    runner = SimpleNamespace(
        cfg=Config(dict(randomness=dict(seed=None, diff_rank_seed=True))),
        seed=5,
        epoch=0,
        iter=0,
        train_loop=object.__new__(EpochBasedTrainLoop),
        train_dataloader=torch.utils.data.DataLoader(list(range(8))),
        val_loop=None,
        logger=logging.getLogger('test_unresumable_settings_warn_at_start'))
    with pytest.warns(UserWarning) as record:
        RNGStateHook().before_train(runner)
    messages = [str(r.message) for r in record]
    assert any('randomness.seed is not set' in m for m in messages)
    assert any('randomness.diff_rank_seed=True' in m for m in messages)
    # the workers' base seed no longer comes from the global torch stream
    assert runner.train_dataloader.generator is not None
