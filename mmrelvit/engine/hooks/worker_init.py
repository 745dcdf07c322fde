"""Seeding and lifetime of DataLoader worker processes, for
:class:`~mmrelvit.engine.hooks.RNGStateHook`.

mmengine seeds every worker with ``seed + rank * num_workers + worker_id``,
whatever the epoch: non-persistent workers then replay the same random
augmentations every epoch, and persistent workers carry their random state
from one epoch to the next, a state that a resumed run cannot rebuild. Here
a worker's numpy, python and torch streams are re-seeded at the start of
every epoch from ``(seed, epoch, rank, worker_id)`` only, so epoch ``e``
draws the same numbers in an uninterrupted run, in a resumed one, with or
without persistent workers.
"""
import ctypes
import os
import random
import signal
import sys
import warnings
from typing import Callable, Optional

import numpy as np
import torch
from torch.utils.data import get_worker_info

#: ``prctl`` option: signal this process when its parent thread exits.
PR_SET_PDEATHSIG = 1


def worker_seeds(seed: int, epoch: int, rank: int, worker_id: int) -> tuple:
    """The (numpy, python, torch) seeds of one worker in one epoch.

    Args:
        seed (int): The run's seed (``randomness.seed``).
        epoch (int): 0-based epoch; 0 for iteration-based loops.
        rank (int): The process rank.
        worker_id (int): The worker index within its DataLoader.

    Returns:
        tuple: Three ints, decorrelated by numpy's ``SeedSequence``.
    """
    entropy = [int(v) % 2**64 for v in (seed, epoch, rank, worker_id)]
    words = np.random.SeedSequence(entropy).generate_state(4, np.uint32)
    np_seed = int(words[0])
    py_seed = int(words[1])
    torch_seed = (int(words[2]) << 32) | int(words[3])
    return np_seed, py_seed, torch_seed


def seed_worker(seed: int, epoch: int, rank: int, worker_id: int) -> None:
    """Seed numpy's, python's and torch's global streams of this worker."""
    np_seed, py_seed, torch_seed = worker_seeds(seed, epoch, rank, worker_id)
    np.random.seed(np_seed)
    random.seed(py_seed)
    torch.manual_seed(torch_seed)


def die_with_parent(parent_pid: int) -> None:
    """Let the kernel SIGKILL this process when its parent dies (Linux).

    Without it, a worker whose trainer was SIGKILLed notices only at its
    next poll of the index queue and can then block for ever in its result
    queue's feeder thread. Elsewhere torch's own watchdog is all there is.
    """
    if not sys.platform.startswith('linux'):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return  # pragma: no cover - prctl refused: keep torch's watchdog
    if os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)


def _check_epoch(dataset) -> None:
    """Re-seed a persistent worker on the first sample it loads in a new
    epoch."""
    init = dataset._mmrelvit_worker_init
    epoch = int(init.epoch)
    if epoch != dataset._mmrelvit_epoch:
        dataset._mmrelvit_epoch = epoch
        seed_worker(init.seed, epoch, init.rank, dataset._mmrelvit_worker_id)


def _epoch_reseeding_class(cls: type) -> type:
    """A subclass of ``cls`` whose loading methods call :func:`_check_epoch`
    first. Its methods are defined on it, not in a mixin: a mixin as first
    base would change the instance layout and forbid ``__class__``
    assignment."""

    def __getitem__(self, idx):
        _check_epoch(self)
        return cls.__getitem__(self, idx)

    namespace = dict(__getitem__=__getitem__)
    if hasattr(cls, '__getitems__'):

        def __getitems__(self, indices):
            _check_epoch(self)
            return cls.__getitems__(self, indices)

        namespace['__getitems__'] = __getitems__
    return type(cls.__name__, (cls, ), namespace)


class WorkerInit:
    """A picklable ``worker_init_fn``: the previous one, then per-epoch
    seeding (training loaders) and death with the parent process.

    Args:
        base (callable, optional): The loader's previous ``worker_init_fn``
            (mmengine's seeding); called first.
        seed (int, optional): The run's seed. None keeps ``base``'s
            seeding (evaluation loaders).
        rank (int): The process rank.
        epoch (torch.Tensor, optional): A 0-dim int64 tensor in shared
            memory holding the current 0-based epoch, written by the main
            process before each epoch's data iterator is created.
    """

    def __init__(self,
                 base: Optional[Callable],
                 seed: Optional[int] = None,
                 rank: int = 0,
                 epoch: Optional[torch.Tensor] = None):
        self.base = base
        self.seed = seed
        self.rank = rank
        self.epoch = epoch
        self.parent_pid = os.getpid()

    def __call__(self, worker_id: int) -> None:
        die_with_parent(self.parent_pid)
        if self.base is not None:
            self.base(worker_id)
        if self.seed is None:
            return
        epoch = int(self.epoch) if self.epoch is not None else 0
        seed_worker(self.seed, epoch, self.rank, worker_id)
        info = get_worker_info()
        if self.epoch is None or info is None:
            return
        # A persistent worker outlives the epoch; it learns of the next one
        # from the shared tensor when it loads its first sample. The class
        # of this process's own copy of the dataset is changed, not the
        # main process's.
        dataset = info.dataset
        try:
            dataset.__class__ = _epoch_reseeding_class(type(dataset))
        except TypeError as e:  # e.g. a dataset implemented in C
            if worker_id == 0:
                warnings.warn(
                    f'{type(dataset).__name__} cannot be re-seeded per '
                    f'epoch in a persistent DataLoader worker ({e}): a '
                    'resumed run is not bit-identical to an uninterrupted '
                    'one; set persistent_workers=False for that')
            return
        dataset._mmrelvit_worker_init = self
        dataset._mmrelvit_worker_id = worker_id
        dataset._mmrelvit_epoch = epoch
