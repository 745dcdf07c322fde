import logging
import random
import time
import warnings
from typing import List, Optional

import numpy as np
import torch
from mmengine.dataset import DefaultSampler, InfiniteSampler
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from .worker_init import WorkerInit

#: Version of the ``rng_state`` entry of a checkpoint. Version 1 (no
#: ``version`` key) held the torch state of rank 0 only.
STATE_VERSION = 2


def capture_rng_state() -> dict:
    """The global random streams of this process, as plain tensors and
    numbers (loadable with ``torch.load(weights_only=True)``)."""
    np_state = np.random.get_state(legacy=False)
    py_version, py_internal, py_gauss = random.getstate()
    state = dict(
        torch=torch.get_rng_state(),
        numpy=dict(
            key=torch.from_numpy(np_state['state']['key'].astype(np.int64)),
            pos=int(np_state['state']['pos']),
            has_gauss=int(np_state['has_gauss']),
            gauss=float(np_state['gauss'])),
        python=dict(
            version=py_version,
            internal=torch.tensor(py_internal, dtype=torch.int64),
            gauss=py_gauss))
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Set the global random streams captured by
    :func:`capture_rng_state` (or the torch-only state of version 1)."""
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])
    if 'numpy' in state:
        s = state['numpy']
        np.random.set_state(('MT19937', s['key'].numpy().astype(np.uint32),
                             s['pos'], s['has_gauss'], s['gauss']))
    if 'python' in state:
        s = state['python']
        random.setstate(
            (s['version'], tuple(s['internal'].tolist()), s['gauss']))


def _sampler_of(loader):
    """The index sampler of ``loader``, also behind a batch sampler."""
    batch_sampler = getattr(loader, 'batch_sampler', None)
    inner = getattr(batch_sampler, 'sampler', None)
    if isinstance(inner, (DefaultSampler, InfiniteSampler)):
        return inner
    return loader.sampler


def _restart_is_safe(loader) -> bool:
    """Whether a second data iterator of ``loader`` yields what the first
    would have. mmengine's InfiniteSampler keeps one index generator for
    all its iterators: it is started again from the seed."""
    sampler = _sampler_of(loader)
    if type(sampler) is InfiniteSampler:
        sampler.indices = sampler._indices_of_rank()
        return True
    return type(sampler) is DefaultSampler


class _TrainIterator:
    """mmengine's ``_InfiniteDataloaderIterator`` (restart an exhausted
    loader with the sampler's next epoch), also telling the workers that
    epoch."""

    def __init__(self, dataloader, epoch: torch.Tensor):
        self._dataloader = dataloader
        self._epoch = epoch
        self._iterator = iter(dataloader)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._iterator)
        except StopIteration:
            print_log(
                'Reach the end of the dataloader, it will be restarted and '
                'continue to iterate. It is recommended to use '
                '`mmengine.dataset.InfiniteSampler`.',
                logger='current',
                level=logging.WARNING)
            epoch = int(self._epoch) + 1
            self._epoch.fill_(epoch)
            sampler = _sampler_of(self._dataloader)
            if hasattr(sampler, 'set_epoch'):
                sampler.set_epoch(epoch)
            time.sleep(2)  # as mmengine: avoids a deadlock between epochs
            self._iterator = iter(self._dataloader)
            return next(self._iterator)


class _RestoreAfter:
    """Wraps ``IterBasedTrainLoop.dataloader_iterator``: restores the saved
    random streams after the loop has replayed the ``skip`` batches trained
    before the checkpoint, just before the first new batch is loaded (where
    the uninterrupted run was right after saving)."""

    def __init__(self, iterator, skip: int, state: Optional[dict]):
        self._iterator = iterator
        self._skip = skip
        self._state = state

    def __iter__(self):
        return self

    def __next__(self):
        if self._skip == 0 and self._state is not None:
            restore_rng_state(self._state)
            self._state = None
        self._skip -= 1
        return next(self._iterator)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make ``--resume`` continue every random stream of the run, so that a
    resumed run is bit-identical to an uninterrupted one.

    mmengine 0.10.7 seeds once at start-up and restores the data order on
    resume, but not the random streams: the torch, numpy and python global
    generators of the main process (model-side stochastic depth, dropout,
    DrLoc pair sampling; the data pipeline when ``num_workers=0``) restart
    from the seed, and persistent DataLoader workers lose the state they
    carried from the previous epoch. This hook

    - saves the three global streams (and CUDA's) of every rank in each
      checkpoint and restores them where the uninterrupted run was when it
      saved: before the data iterator of the next epoch is created
      (epoch-based loops), or after the loop has replayed the batches
      trained before the checkpoint (iteration-based loops);
    - keeps validation out of the training streams (they are set back after
      each validation), so validating or not does not change training;
    - re-seeds every training DataLoader worker at the start of each epoch
      from ``(seed, epoch, rank, worker_id)``
      (:class:`~mmrelvit.engine.hooks.worker_init.WorkerInit`), so that
      epoch ``e`` draws the same augmentations with or without persistent
      workers, resumed or not;
    - lets the kernel kill every DataLoader worker when the trainer dies
      (Linux ``PR_SET_PDEATHSIG``), so a SIGKILLed run leaves no orphans.

    It warns at start about what cannot be resumed exactly: no fixed seed,
    CUDA kernels, a mid-epoch checkpoint of an epoch-based loop, or a
    different world size / number of workers / batch size than the run that
    saved the checkpoint. The restored state is ignored by ``load_from`` (a
    new run starting from the weights).
    """

    # before CheckpointHook (VERY_LOW): the state is captured in
    # after_train_iter / after_train_epoch just before the checkpoint hook
    # of the same call saves it
    priority = 'LOW'

    def __init__(self):
        self._pending: Optional[dict] = None
        self._snapshot: Optional[List[dict]] = None
        self._in_val: Optional[dict] = None
        self._epoch = torch.zeros((), dtype=torch.int64).share_memory_()

    # ---------------------------------------------------------------- save
    def _capture(self, runner) -> None:
        state = capture_rng_state()
        # save_checkpoint runs on rank 0 only: gather the other ranks'
        # streams beforehand
        self._snapshot = (
            all_gather_object(state) if get_world_size() > 1 else [state])

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        # an epoch-based loop is resumed exactly from epoch ends only
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            self._capture(runner)

    def after_train_epoch(self, runner) -> None:
        self._capture(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        self._snapshot = None  # the streams move on

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # inside validation (best checkpoints) the training streams are the
        # ones set aside before it
        ranks = self._snapshot or [self._in_val or capture_rng_state()]
        loader = runner.train_dataloader
        checkpoint['rng_state'] = dict(
            version=STATE_VERSION,
            ranks=ranks,
            world_size=get_world_size(),
            num_workers=loader.num_workers,
            batch_size=loader.batch_size)

    # ---------------------------------------------------------- validation
    def before_val(self, runner) -> None:
        self._in_val = capture_rng_state()

    def after_val(self, runner) -> None:
        if self._in_val is not None:
            restore_rng_state(self._in_val)
            self._in_val = None

    # -------------------------------------------------------------- resume
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        meta = checkpoint.get('meta', {})
        if state is None or meta.get('iter', 0) == 0:
            return
        if state.get('version', 1) == 1:
            state = dict(ranks=[state], world_size=1)
        self._pending = dict(state, iter=meta['iter'], epoch=meta['epoch'])

    def _take_pending(self, runner) -> Optional[dict]:
        """This rank's saved streams, or None when the checkpoint was
        loaded by ``load_from`` rather than resumed."""
        pending, self._pending = self._pending, None
        if pending is None or runner.iter != pending['iter']:
            return None
        loader = runner.train_dataloader
        reasons = [
            f'{name} was {pending[name]}, now {now}'
            for name, now in (('world_size', get_world_size()),
                              ('num_workers', loader.num_workers),
                              ('batch_size', loader.batch_size))
            if name in pending and pending[name] != now
        ]
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            done = pending['epoch'] * len(loader)
            if pending['iter'] != done:
                reasons.append(
                    f'the checkpoint was saved at iteration '
                    f'{pending["iter"]}, inside epoch {pending["epoch"] + 1} '
                    f'({len(loader)} iterations per epoch), and mmengine '
                    'restarts that epoch from its first batch')
        if reasons:
            self._warn(
                runner, 'the resumed run is not bit-identical to an '
                'uninterrupted one: ' + '; '.join(reasons))
        ranks = pending['ranks']
        return ranks[get_rank()] if len(ranks) == get_world_size() \
            else ranks[0]

    # ------------------------------------------------------------- workers
    def _wrap_workers(self, loader, seed: Optional[int]) -> None:
        if loader is None or getattr(loader, 'num_workers', 0) == 0:
            return
        init = loader.worker_init_fn
        if isinstance(init, WorkerInit):
            return
        loader.worker_init_fn = WorkerInit(
            init,
            seed=seed,
            rank=get_rank(),
            epoch=None if seed is None else self._epoch)

    @staticmethod
    def _warn(runner, message: str) -> None:
        runner.logger.warning(f'RNGStateHook: {message}')
        warnings.warn(message, stacklevel=2)

    def before_train(self, runner) -> None:
        randomness = runner.cfg.get('randomness') or {}
        if randomness.get('seed') is None:
            self._warn(
                runner, 'randomness.seed is not set: the data order of a '
                'resumed run differs from the interrupted one; set '
                'randomness.seed for an exact --resume')
        if randomness.get('diff_rank_seed'):
            self._warn(
                runner, 'randomness.diff_rank_seed=True: mmengine then seeds '
                'the data samplers with a new random seed in every run, so '
                'a resumed run sees another data order')
        if torch.cuda.is_available():
            self._warn(
                runner, 'training on CUDA: --resume restores every random '
                'stream, but CUDA kernels (atomic adds, cuDNN algorithm '
                'choice) are not bit-reproducible; a resumed run is exact '
                'on CPU only')
        loop = runner.train_loop
        loader = runner.train_dataloader
        self._wrap_workers(loader, runner.seed)
        if loader.generator is None:
            # Every new data iterator draws its workers' base seed from
            # the loader's generator, by default the global torch stream.
            # Persistent workers draw once per run, so a resumed run would
            # draw once more than the uninterrupted one; WorkerInit
            # re-seeds the workers anyway: draw from a private generator.
            loader.generator = torch.Generator().manual_seed(runner.seed)
        self._wrap_workers(getattr(runner.val_loop, 'dataloader', None), None)
        self._epoch.fill_(runner.epoch)
        if isinstance(loop, IterBasedTrainLoop):
            # mmengine's iterator started its workers before any hook ran:
            # start them again under WorkerInit where the sampler allows it
            iterator = loop.dataloader_iterator
            if loader.num_workers > 0:
                if _restart_is_safe(loader):
                    iterator = _TrainIterator(loader, self._epoch)
                else:
                    runner.logger.warning(
                        'RNGStateHook: the data workers of '
                        f'{type(_sampler_of(loader)).__name__} are kept as '
                        'mmengine started them, before any hook: they do '
                        'not die with a killed trainer')
            loop.dataloader_iterator = _RestoreAfter(
                iterator, runner.iter, self._take_pending(runner))
        elif not isinstance(loop, EpochBasedTrainLoop):
            self._warn(
                runner, f'{type(loop).__name__} is neither epoch- nor '
                'iteration-based: random streams are restored at the first '
                'epoch, which may not be where they were saved')

    def before_test(self, runner) -> None:
        self._wrap_workers(getattr(runner.test_loop, 'dataloader', None), None)

    def before_train_epoch(self, runner) -> None:
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            return
        # before the epoch's data iterator starts (or re-seeds) the workers
        # and the first batch is loaded
        self._epoch.fill_(runner.epoch)
        state = self._take_pending(runner)
        if state is not None:
            restore_rng_state(state)
