"""Train a model from an mmpretrain, mmdet or mmseg config.

The config's ``default_scope`` decides which library's registries are used;
the arguments and behaviour are those of OpenMMLab's own ``tools/train.py``.
"""
import argparse
import os
import os.path as osp
import sys
import time

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmrelvit  # noqa: F401  (weights_only allow-list for checkpoints)
from mmrelvit.utils import setup_cpu_distributed
from mmrelvit.utils.preflight import (PreflightError, check_pipelines,
                                      check_pretrained_files, check_resume)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not '
        'specify, try to auto resume from the latest checkpoint '
        'in the work directory.')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='enable automatically scaling LR by the total batch size')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate the checkpoint during training')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    """Merge CLI arguments into the config, as OpenMMLab's launchers do."""
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp needs optim_wrapper.type OptimWrapper, got '
                f'{optim_wrapper!r} in {args.config}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in (
                cfg.auto_scale_lr or {}):
            raise ValueError(
                f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                f'{args.config}')
        cfg.auto_scale_lr.enable = True

    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    # --resume: 'auto' resumes from the latest checkpoint of work_dir
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def launcher_rank(launcher: str) -> int:
    """This process's global rank, known before the process group is."""
    var = dict(
        pytorch='RANK', slurm='SLURM_PROCID',
        mpi='OMPI_COMM_WORLD_RANK').get(launcher)
    return int(os.environ.get(var, 0)) if var else 0


def lock_work_dir(work_dir: str):
    """Hold an exclusive lock on ``work_dir`` for the life of this process.

    Two runs in one work dir would overwrite each other's checkpoints and
    ``last_checkpoint``. The lock is an ``fcntl.flock`` on
    ``<work_dir>/.train.lock``: the kernel releases it when the process
    ends, however it ends, so a killed run never leaves a stale lock. The
    file names the holder, for the error of the second run.

    Returns:
        The open lock file (keep it), or None where ``fcntl`` is missing.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        return None
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, '.train.lock')
    lock = open(path, 'a+')
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.seek(0)
        holder = lock.read().strip() or 'a process that did not say which'
        lock.close()
        raise SystemExit(
            f'tools/train.py: work dir {work_dir} is in use by another '
            f'training run ({holder}); two runs in one work dir overwrite '
            'each other\'s checkpoints. Wait for it to end or pass another '
            f'--work-dir (lock file: {path}).')
    lock.seek(0)
    lock.truncate()
    command = ' '.join([sys.executable] + sys.argv)
    started = time.strftime('%Y-%m-%d %H:%M:%S')
    lock.write(f'pid {os.getpid()}, started {started}, command: {command}')
    lock.flush()
    return lock


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    try:
        check_pipelines(cfg, args.config)
        check_pretrained_files(cfg, args.config)
    except PreflightError as e:
        raise SystemExit(f'tools/train.py: error: {e}')
    # before the Runner writes anything; all ranks share one work dir and
    # the first holds the lock for all
    work_dir_lock = (
        lock_work_dir(cfg.work_dir)
        if launcher_rank(args.launcher) == 0 else None)
    setup_cpu_distributed(cfg, args.launcher)

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    try:
        # mmengine would load another model's checkpoint partially, then
        # fail on the optimizer's parameter groups
        check_resume(runner, args.config)
    except PreflightError as e:
        raise SystemExit(f'tools/train.py: error: {e}')
    runner.train()
    if work_dir_lock is not None:
        work_dir_lock.close()


if __name__ == '__main__':
    main()
