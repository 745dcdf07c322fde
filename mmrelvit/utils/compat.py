"""Compatibility of mmengine 0.10.7 with today's torch, in one place.

Two problems, both reproduced in ``openmmlab_conventions.md`` §3.2 and §4.1:

1. torch >= 2.6 unpickles with ``weights_only=True`` by default, and
   mmengine 0.10.7 checkpoints hold a few non-tensor globals (the message
   hub's ``HistoryBuffer`` and the numpy objects inside it and in ``meta``).
   ``resume``, ``load_from`` and ``init_cfg=Pretrained`` then fail. We
   allow-list exactly those globals; anything else is still refused by
   torch's own error. Safety is never switched off.
2. mmengine's ``init_dist`` calls ``torch.cuda.set_device`` and its DDP
   wrapper passes ``device_ids=[LOCAL_RANK]``; both fail on a machine without
   CUDA. :func:`setup_cpu_distributed` creates the gloo process group first
   and selects a CPU model wrapper.
"""
import os
import pickle
from typing import List

import numpy as np
import torch
import torch.distributed as dist
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from mmengine.registry import MODEL_WRAPPERS


def _numpy_checkpoint_globals() -> List:
    """What pickled numpy arrays, dtypes and scalars reference, under the
    module names of the installed numpy."""
    try:  # numpy >= 2 keeps the real module under ``numpy._core``
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray
    found = [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype]
    # Unpickling a dtype builds an instance of its class, e.g.
    # ``numpy.dtypes.Float64DType``: allow the classes of numpy's own dtypes.
    found += sorted({type(np.dtype(t))
                     for t in np.sctypeDict.values()},
                    key=lambda t: t.__name__)
    return found


def _history_buffer_getattr(obj, name: str):
    """Stands in for ``builtins.getattr`` while unpickling.

    Every ``HistoryBuffer`` pickles its ``statistics_methods`` dict, whose
    functions are written as ``getattr(HistoryBuffer, 'mean')``. Only those
    lookups are allowed; any other use of getattr in a checkpoint is refused.
    """
    # The defaults are only put in _statistics_methods by the first
    # HistoryBuffer created in the process: name them explicitly.
    known = {'min', 'max', 'current', 'mean'}
    known.update(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in known:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'Unsupported global: getattr({obj!r}, {name!r}) is not an '
        'mmengine HistoryBuffer statistic')


#: Every global an mmengine 0.10.7 Runner writes into a checkpoint, beyond
#: torch's own allow-list.
CHECKPOINT_SAFE_GLOBALS = [
    HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')
] + _numpy_checkpoint_globals()


def register_checkpoint_safe_globals() -> None:
    """Allow ``torch.load(weights_only=True)`` to read mmengine
    checkpoints."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 loads with weights_only=False anyway
        add(CHECKPOINT_SAFE_GLOBALS)


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` for CPU processes over gloo.

    DDP must not be given ``device_ids`` for a CPU module, and SyncBN has no
    CPU kernel, so SyncBN layers are reverted to BN: with DDP's gradient
    averaging each process then normalises with its own batch statistics.
    """

    def __init__(self, module, **kwargs):
        kwargs.pop('device_ids', None)
        super().__init__(
            module=revert_sync_batchnorm(module), device_ids=None, **kwargs)


def setup_cpu_distributed(cfg, launcher: str) -> None:
    """Prepare ``cfg`` and the process group for distributed training on a
    machine without CUDA. A no-op for ``launcher='none'`` or when CUDA is
    available (mmengine then does everything itself).

    Args:
        cfg (Config): The config the Runner will be built from; its
            ``env_cfg.dist_cfg`` and ``model_wrapper_cfg`` are updated.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} needs CUDA; on a CPU-only machine use '
            'tools/dist_train.sh / dist_test.sh (--launcher pytorch).')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    if wrapper.get(
            'type',
            'MMDistributedDataParallel') not in ('MMDistributedDataParallel',
                                                 'CPUDistributedDataParallel'):
        raise RuntimeError(
            f'model_wrapper_cfg.type={wrapper["type"]!r} is not supported '
            'for CPU distributed training.')
    wrapper['type'] = 'CPUDistributedDataParallel'
    cfg.model_wrapper_cfg = wrapper
    if not dist.is_initialized():
        # Created before the Runner so that mmengine's init_dist, which
        # would call torch.cuda.set_device, is skipped.
        dist.init_process_group(backend='gloo')
    os.environ.setdefault('LOCAL_RANK', '0')
