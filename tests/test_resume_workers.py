"""Interrupted epoch-based runs with DataLoader workers, as a user meets
them: SIGKILL and ``--resume`` (bit for bit), the workers of a killed
trainer, a second run in the same work dir, a full disk while saving."""
import os
import resource
import signal
import subprocess
import sys
import time

import torch
from conftest import REPO, SUPERVISED_CFG, run_tool

import mmrelvit  # noqa: F401  (loads mmengine checkpoints weights_only)

EPOCHS = 3
ITERS_PER_EPOCH = 4  # 64 training images, batch 16
KILL_AT_ITER = ITERS_PER_EPOCH + 2  # inside epoch 2, workers running

KILL_HOOK = '''
import os
import signal
import time

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class KillHook(Hook):
    """After iteration ``at_iter``: write the pids of the persistent
    DataLoader workers, wait for ``go_file``, SIGKILL this process."""

    def __init__(self, at_iter, pid_file, go_file):
        self.at_iter = at_iter
        self.pid_file = pid_file
        self.go_file = go_file

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 != self.at_iter:
            return
        it = getattr(runner.train_dataloader, '_iterator', None)
        pids = [w.pid for w in getattr(it, '_workers', [])]
        with open(self.pid_file + '.tmp', 'w') as f:
            f.write(' '.join(map(str, pids)))
        os.replace(self.pid_file + '.tmp', self.pid_file)
        deadline = time.time() + 120
        while not os.path.exists(self.go_file) and time.time() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGKILL)
'''


def epoch_config(tmp_path, digits_root, workers):
    """The real supervised digits config, shrunk to a 2-layer 32-d ViT on
    64 images for 3 epochs, validating every epoch; stochastic depth and
    RandomCrop(padding) keep the model and data streams random."""
    persistent = workers > 0
    path = tmp_path / f'epochs_w{workers}.py'
    path.write_text(f'''
_base_ = [{SUPERVISED_CFG!r}]
model = dict(
    backbone=dict(arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            feedforward_channels=64)),
    head=dict(in_channels=32))
train_dataloader = dict(batch_size=16, num_workers={workers},
                        persistent_workers={persistent},
                        dataset=dict(data_root={digits_root!r}, indices=64))
val_dataloader = dict(batch_size=32, num_workers={workers},
                      persistent_workers={persistent},
                      dataset=dict(data_root={digits_root!r}, indices=32))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={EPOCHS}, val_interval=1)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=-1))
''')
    return path


def killing_config(tmp_path, cfg):
    (tmp_path / 'kill_hook.py').write_text(KILL_HOOK)
    path = tmp_path / 'kill.py'
    path.write_text(f'''
_base_ = [{str(cfg)!r}]
custom_imports = dict(
    imports=_base_.custom_imports.imports + ['kill_hook'],
    allow_failed_imports=False)
custom_hooks = _base_.custom_hooks + [
    dict(type='KillHook', at_iter={KILL_AT_ITER},
         pid_file={str(tmp_path / 'pids')!r},
         go_file={str(tmp_path / 'go')!r})]
''')
    return path


def max_abs_diff(a, b):
    """Largest difference between two checkpoints' weights and optimizer
    states (they must have the same keys)."""
    ckpt_a = torch.load(a, map_location='cpu')
    ckpt_b = torch.load(b, map_location='cpu')
    pairs = []
    sd_a, sd_b = ckpt_a['state_dict'], ckpt_b['state_dict']
    assert sd_a.keys() == sd_b.keys()
    pairs += [(sd_a[k], sd_b[k]) for k in sd_a]
    opt_a, opt_b = ckpt_a['optimizer'], ckpt_b['optimizer']
    assert opt_a['param_groups'] == opt_b['param_groups']
    assert opt_a['state'].keys() == opt_b['state'].keys()
    for i, state in opt_a['state'].items():
        assert state.keys() == opt_b['state'][i].keys()
        pairs += [(v, opt_b['state'][i][k]) for k, v in state.items()]
    assert ckpt_a['meta']['iter'] == ckpt_b['meta']['iter']
    return max((x.double() - y.double()).abs().max().item() for x, y in pairs)


def alive(pid):
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def wait_for(path, proc, timeout=120):
    deadline = time.time() + timeout
    while not path.exists():
        assert proc.poll() is None, f'trainer ended with {proc.returncode}'
        assert time.time() < deadline, f'no {path} after {timeout} s'
        time.sleep(0.05)


def test_sigkill_resume_with_persistent_workers(tmp_path, digits_root):
    sigkill_and_resume(tmp_path, digits_root, workers=2)


def sigkill_and_resume(tmp_path, digits_root, workers):
    """Train 3 epochs uninterrupted; train again, SIGKILL inside epoch 2
    (with workers: check the busy work dir and that the workers die) and
    ``--resume``: the last checkpoints must be equal bit for bit."""
    cfg = epoch_config(tmp_path, digits_root, workers)
    ref = tmp_path / 'reference'
    run_tool(['tools/train.py', cfg, '--work-dir', ref])

    work = tmp_path / 'killed'
    if workers == 0:
        (tmp_path / 'go').touch()
    proc = subprocess.Popen([
        sys.executable, 'tools/train.py',
        str(killing_config(tmp_path, cfg)), '--work-dir',
        str(work)
    ],
                            cwd=REPO,
                            env=dict(
                                os.environ,
                                PYTHONPATH=f'{REPO}{os.pathsep}{tmp_path}'),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(tmp_path / 'pids', proc)
        workers_pids = [
            int(p) for p in (tmp_path / 'pids').read_text().split()
        ]
        assert len(workers_pids) == workers
        assert all(alive(p) for p in workers_pids)
        if workers:
            # a second run in the busy work dir stops before writing
            second = run_tool(['tools/train.py', cfg, '--work-dir', work],
                              check=False)
            assert second.returncode == 1, second.stderr[-2000:]
            assert (f'work dir {work} is in use by another training run '
                    f'(pid {proc.pid}, started ') in second.stderr
            assert f'tools/train.py {killing_config(tmp_path, cfg)}' \
                in second.stderr
            (tmp_path / 'go').touch()
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    # the workers die with the trainer, not seconds later
    deadline = time.time() + 2
    while any(alive(p) for p in workers_pids) and time.time() < deadline:
        time.sleep(0.02)
    assert not [p for p in workers_pids if alive(p)]
    assert (work / 'epoch_1.pth').is_file()
    assert not (work / 'epoch_2.pth').exists()

    # the resumed run validates or not: training is the same
    resume = ['tools/train.py', cfg, '--work-dir', work, '--resume']
    run_tool(resume + (['--no-validate'] if workers == 0 else []))
    assert max_abs_diff(ref / f'epoch_{EPOCHS}.pth',
                        work / f'epoch_{EPOCHS}.pth') == 0.0


ORPHAN_SCRIPT = """
import importlib.util, os, signal, sys, time
from torch.utils.data import DataLoader, Dataset

# the module alone (numpy and torch), without mmrelvit's imports
spec = importlib.util.spec_from_file_location(
    'worker_init', 'mmrelvit/engine/hooks/worker_init.py')
worker_init = importlib.util.module_from_spec(spec)
spec.loader.exec_module(worker_init)


class Big(Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, idx):
        return bytes(1 << 20)  # pickled through the result pipe


init = worker_init.WorkerInit(None) if sys.argv[1] == 'guarded' else None
it = iter(DataLoader(Big(), num_workers=2, worker_init_fn=init))
next(it)
print(' '.join(str(w.pid) for w in it._workers), flush=True)
time.sleep(1)  # the workers fill the pipe and block writing to it
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_die_with_their_parent(tmp_path):
    """Workers blocked writing a batch when their trainer is SIGKILLed die
    with it (without the guard they block for ever in the pipe write)."""
    script = tmp_path / 'orphans.py'
    script.write_text(ORPHAN_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), 'guarded'],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    assert proc.wait(timeout=60) == -signal.SIGKILL
    deadline = time.time() + 2
    while any(alive(p) for p in pids) and time.time() < deadline:
        time.sleep(0.02)
    survivors = [p for p in pids if alive(p)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_full_disk_leaves_no_truncated_checkpoint(tmp_path, digits_root):
    """A file size limit makes every write past 64 KiB fail with EFBIG,
    as a full disk fails with ENOSPC; the logs fit, the checkpoint does
    not."""
    cfg = epoch_config(tmp_path, digits_root, 0)
    work = tmp_path / 'work'

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = run_tool([
        'tools/train.py', cfg, '--work-dir', work, '--no-validate',
        '--cfg-options', 'train_cfg.max_epochs=1'
    ],
                    check=False,
                    preexec_fn=limit_file_size)
    assert proc.returncode != 0
    assert 'File too large' in proc.stderr, proc.stderr[-3000:]
    leftovers = sorted(p.name for p in work.iterdir() if 'pth' in p.name)
    assert leftovers == [], leftovers
    assert not (work / 'last_checkpoint').exists()
