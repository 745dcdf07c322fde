"""Checks ``tools/train.py`` and ``tools/test.py`` run before a run starts.

Each turns an input that would otherwise train or evaluate the wrong thing
silently, or fail with a message naming neither file nor field, into one
:class:`PreflightError` naming the file, the field and the value:

- a pipeline whose ``Pack*`` transform drops the ``patch_perm`` that
  ``PatchPermute`` records (:func:`check_pipelines`);
- an unreadable ``Pretrained`` checkpoint of the model config
  (:func:`check_pretrained_files`);
- a checkpoint file that is empty, truncated, not a checkpoint, or that
  needs a Python object outside the weights-only allow-list
  (:func:`read_checkpoint`);
- the checkpoint of another model given to ``tools/test.py`` or
  ``--resume`` (:func:`check_checkpoint_fits`, :func:`check_resume`).
"""
import os
import os.path as osp
import pickle
import re
import zipfile
from collections import OrderedDict
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.runner.checkpoint import find_latest_checkpoint

# Keys spelled out per kind of difference in a mismatch message.
_EXAMPLES = 5


class PreflightError(ValueError):
    """A run's input is wrong; the message names the file/field/value."""


def check_pipelines(cfg, config: str = 'config') -> None:
    """Check the pipelines of every data set of ``cfg``'s data loaders,
    including the data sets nested in wrappers (``dataset``/``datasets``).

    Args:
        cfg (Config | dict): The run's config.
        config (str): Its file, for the messages.

    Raises:
        PreflightError: If a ``PatchPermute`` output is not packed (see
            :func:`mmrelvit.datasets.transforms.check_patch_perm_packed`).
    """
    from mmrelvit.datasets.transforms.patch_permute import \
        check_patch_perm_packed

    def walk(dataset, where):
        if not isinstance(dataset, dict):
            return
        if 'pipeline' in dataset:
            try:
                check_patch_perm_packed(dataset['pipeline'],
                                        f'{config}: {where}.pipeline')
            except ValueError as e:
                raise PreflightError(str(e)) from None
        walk(dataset.get('dataset'), f'{where}.dataset')
        for i, child in enumerate(dataset.get('datasets') or ()):
            walk(child, f'{where}.datasets[{i}]')

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if isinstance(loader, dict):
            walk(loader.get('dataset'), f'{key}.dataset')


def check_pretrained_files(cfg, config: str = 'config') -> None:
    """Read every local ``init_cfg=dict(type='Pretrained', checkpoint=...)``
    file of ``cfg.model`` before the Runner is built, so that an empty,
    truncated or non-checkpoint file is one error naming the config field
    (mmengine would fail in ``init_weights`` with torch's message).

    Args:
        cfg (Config | dict): The run's config.
        config (str): Its file, for the messages.
    """

    def walk(node, where):
        if isinstance(node, dict):
            if node.get('type') == 'Pretrained' and isinstance(
                    node.get('checkpoint'),
                    str) and not is_url(node['checkpoint']):
                try:
                    read_checkpoint(node['checkpoint'])
                except PreflightError as e:
                    raise PreflightError(
                        f'{config}: {where}.checkpoint: {e}') from None
            for key, value in node.items():
                walk(value, f'{where}.{key}')
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                walk(value, f'{where}[{i}]')

    walk(cfg.get('model'), 'model')


def _first_line(error: BaseException) -> str:
    """The gist of torch's error, without its advice to unpickle unsafely.
    """
    text = str(error)
    match = re.search(
        r'(?:Unsupported global: GLOBAL|unsupported GLOBAL) '
        r'([\w.]+)', text)
    if match:
        return f'it needs the Python object {match.group(1)}'
    match = re.search(r'WeightsUnpickler error:\s*(\S[^\n]*)', text)
    if match:
        return match.group(1).strip()
    lines = [
        line.strip() for line in text.splitlines()
        if line.strip() and 'weights_only' not in line
    ]
    return lines[0] if lines else type(error).__name__


def read_checkpoint(path: str, map_location: str = 'cpu') -> dict:
    """Load a checkpoint file with ``weights_only=True``; anything else than
    a readable checkpoint dict is one :class:`PreflightError`.

    Args:
        path (str): A local checkpoint file (URLs and other backends are
            left to mmengine).
        map_location (str): Defaults to ``'cpu'``.

    Returns:
        dict: The checkpoint.
    """
    if not osp.exists(path):
        raise PreflightError(f'{path}: checkpoint not found')
    if not osp.isfile(path):
        raise PreflightError(f'{path}: is not a file')
    size = os.path.getsize(path)
    if size == 0:
        raise PreflightError(f'{path}: empty file (0 bytes), not a '
                             'checkpoint (an interrupted save?)')
    with open(path, 'rb') as f:
        head = f.read(4)
    is_zip = zipfile.is_zipfile(path)
    # torch.save writes a zip archive (or, legacy, a pickle: 0x80 proto)
    if not is_zip and head[:2] != b'PK' and head[:1] != b'\x80':
        raise PreflightError(f'{path}: not a PyTorch checkpoint (neither a '
                             f'zip archive nor a pickle; starts with '
                             f'{head!r})')
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise PreflightError(
            f'{path}: refused: {_first_line(e)}; a checkpoint written by '
            'mmengine never does, so the file is not loaded (unpickling it '
            'could run arbitrary code)') from None
    except Exception as e:  # truncated zip, EOFError, bad pickle keys
        kind = 'truncated or corrupt' if head[:2] == b'PK' or \
            isinstance(e, EOFError) else 'unreadable'
        raise PreflightError(f'{path}: {kind} checkpoint ({size} bytes): '
                             f'{_first_line(e)}') from None
    if not isinstance(ckpt, dict):
        raise PreflightError(f'{path}: not a model checkpoint: it holds a '
                             f'{type(ckpt).__name__}, not a dict')
    return ckpt


def _state_dict(ckpt: dict, path: str) -> Dict[str, torch.Tensor]:
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, dict) or not state or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise PreflightError(
            f'{path}: not a model checkpoint: no state_dict of tensors '
            f'(top-level keys {sorted(map(str, ckpt))[:10]})')
    # what mmengine's load_checkpoint strips (DDP-wrapped saves)
    return OrderedDict(
        (re.sub(r'^module\.', '', k), v) for k, v in state.items())


def compare_state_dict(model: nn.Module,
                       state_dict: Dict[str, torch.Tensor]) -> dict:
    """Compare a state dict with ``model`` as loading would see it.

    The model's load-state-dict pre-hooks (e.g. mmpretrain's resizing of
    ``pos_embed`` to the model's grid) run on a copy first, so what they
    adapt is not reported.

    Returns:
        dict: ``missing`` (model keys absent from the state dict),
        ``unexpected`` (state-dict keys the model lacks) and ``mismatched``
        (``(key, state-dict shape, model shape)``).
    """
    state_dict = OrderedDict(state_dict)
    for name, child in model.named_modules():
        prefix = f'{name}.' if name else ''
        for hook in child._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, {}, True, [], [], [])
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    mismatched = [
        (k, tuple(state_dict[k].shape), tuple(v.shape))
        for k, v in expected.items()
        if k in state_dict and tuple(state_dict[k].shape) != tuple(v.shape)
    ]
    return dict(missing=missing, unexpected=unexpected, mismatched=mismatched)


def _examples(items: List) -> str:
    shown = []
    for item in items[:_EXAMPLES]:
        if isinstance(item, tuple):
            key, in_ckpt, in_model = item
            item = f'{key}: checkpoint {in_ckpt}, model {in_model}'
        shown.append(item)
    return ', '.join(shown) + (', ...' if len(items) > _EXAMPLES else '')


def check_checkpoint_fits(model: nn.Module,
                          path: str,
                          config: str = 'config',
                          allow_unexpected: bool = False) -> dict:
    """Refuse a checkpoint that does not fit ``model``.

    Args:
        model (nn.Module): The model (wrappers and test-time augmentation
            models are unwrapped, as mmengine's loading does).
        path (str): The checkpoint file.
        config (str): The config file, for the message.
        allow_unexpected (bool): Accept checkpoint keys the model lacks
            (e.g. the ``aux_heads`` of a jointly trained checkpoint
            evaluated as a plain classifier). Missing keys and shape
            mismatches are always refused. Defaults to False.

    Returns:
        dict: The checkpoint, as :func:`read_checkpoint` read it.

    Raises:
        PreflightError: Counting the missing, unexpected and mis-shaped keys
            with examples.
    """
    ckpt = read_checkpoint(path)
    # what mmengine's load_state_dict unwraps (DDP, test-time augmentation)
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    diff = compare_state_dict(model, _state_dict(ckpt, path))
    if diff['missing'] or diff['mismatched'] or (diff['unexpected']
                                                 and not allow_unexpected):
        parts = []
        for kind in ('missing', 'unexpected', 'mismatched'):
            keys = diff[kind]
            if keys:
                label = 'mis-shaped' if kind == 'mismatched' else kind
                parts.append(f'{len(keys)} {label} keys ({_examples(keys)})')
        raise PreflightError(
            f'{path}: not a checkpoint of the model of {config}: ' +
            '; '.join(parts) + '. Its weights would be loaded partially '
            'and the rest left at their initialisation.')
    return ckpt


def resume_source(runner) -> Optional[str]:
    """The checkpoint :meth:`mmengine.runner.Runner.load_or_resume` will
    resume from (None if it will not resume)."""
    if not runner._resume:
        return None
    if runner._load_from is not None:
        return runner._load_from
    return find_latest_checkpoint(runner.work_dir)


def check_resume(runner, config: str = 'config') -> None:
    """Before :meth:`Runner.train`: refuse an unreadable ``load_from`` and
    a ``--resume`` checkpoint of another model (which mmengine would load
    partially, then fail on the optimizer's parameter groups).

    Args:
        runner (Runner): The built runner.
        config (str): The config file, for the messages.
    """
    source = resume_source(runner)
    if source is None:
        source, fits = runner._load_from, False
    else:
        fits = True
    if source is None or is_url(source):
        return
    if fits:
        check_checkpoint_fits(runner.model, source, config)
    else:
        read_checkpoint(source)


def is_url(path) -> bool:
    """Whether ``path`` is a URL (left to mmengine's loaders)."""
    return re.match(r'^[a-z0-9+.-]+://', str(path)) is not None
