import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint
from mmpretrain.registry import HOOKS


def check_pretrained(module: nn.Module,
                     checkpoint: str,
                     prefix: Optional[str] = None,
                     map_location: str = 'cpu') -> Dict[str, list]:
    """Compare a checkpoint with the module it initialises, as
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=...)`` loads
    it, without loading anything.

    The module's load-state-dict pre-hooks run first on a copy of the
    checkpoint, so what they adapt (mmpretrain resizes ``pos_embed`` to the
    model's grid and Swin's relative-position tables) is compared after the
    adaptation, exactly as the real load sees it.

    Args:
        module (nn.Module): The module the checkpoint initialises, e.g. the
            backbone.
        checkpoint (str): Checkpoint path or URL.
        prefix (str, optional): Keep only the keys under this prefix and
            strip it (e.g. ``'backbone.'``). Defaults to None.
        map_location (str): Defaults to ``'cpu'``.

    Returns:
        dict: ``missing`` (module keys absent from the checkpoint),
        ``mismatched`` (``(key, checkpoint shape, module shape)``),
        ``unexpected`` (checkpoint keys under the prefix the module lacks),
        ``dropped`` (checkpoint keys outside the prefix, e.g. the
        ``aux_heads.*`` of a self-supervised upstream) and ``matched``.
    """
    ckpt = _load_checkpoint(checkpoint, map_location)
    state_dict = ckpt.get('state_dict', ckpt)
    dropped: List[str] = []
    if prefix:
        kept = OrderedDict()
        for key, value in state_dict.items():
            if key.startswith(prefix):
                kept[key[len(prefix):]] = value
            else:
                dropped.append(key)
        if not kept:
            raise RuntimeError(f'Pretrained checkpoint {checkpoint} has no '
                               f'key with prefix {prefix!r}')
        state_dict = kept
    state_dict = OrderedDict(state_dict)
    for name, child in module.named_modules():
        child_prefix = f'{name}.' if name else ''
        for hook in child._load_state_dict_pre_hooks.values():
            hook(state_dict, child_prefix, {}, True, [], [], [])
    expected = module.state_dict()
    missing, mismatched, matched = [], [], []
    for key, value in expected.items():
        if key not in state_dict:
            missing.append(key)
        elif tuple(state_dict[key].shape) != tuple(value.shape):
            mismatched.append(
                (key, tuple(state_dict[key].shape), tuple(value.shape)))
        else:
            matched.append(key)
    unexpected = [key for key in state_dict if key not in expected]
    return dict(
        missing=missing,
        mismatched=mismatched,
        unexpected=unexpected,
        dropped=dropped,
        matched=matched)


@HOOKS.register_module()
class StrictPretrainedHook(Hook):
    r"""Stop training when a ``Pretrained`` checkpoint misses or mis-shapes
    weights of the module it initialises; log what it leaves out.

    mmengine's ``PretrainedInit`` loads with ``strict=False`` and only logs
    the problems, so a wrong checkpoint silently trains from random weights.
    A separate weight-initializer type cannot replace it: ``BaseModule``
    applies every non-``'Pretrained'`` init_cfg *before* the children's own
    ``init_weights`` (mmpretrain's transformer layers then re-initialise
    their FFNs), and mmpretrain's ViT, Swin and T2T-ViT re-initialise
    ``pos_embed`` / ``cls_token`` unless ``init_cfg['type'] ==
    'Pretrained'``. So configs keep ``type='Pretrained'`` and this hook
    checks, before the first iteration, each listed module whose
    ``init_cfg`` is ``Pretrained``, with :func:`check_pretrained`:

    - missing or mis-shaped keys raise a ``RuntimeError`` naming them
      (shape changes that a load hook handles, e.g. a ``pos_embed``
      pretrained at another input size, are not errors);
    - checkpoint keys outside ``prefix`` (the heads of the pretraining
      model) are logged as dropped, unexpected keys under it as a warning.

    Registered in mmpretrain's ``HOOKS``; an mmdet / mmseg config names it
    ``dict(type='mmpretrain.StrictPretrainedHook')``.

    Args:
        modules (Sequence[str]): Attribute paths inside the model, e.g.
            ``('backbone', )``. Defaults to ``('backbone', )``.
        allow_missing (Sequence[str]): Regular expressions (full match) of
            module keys that are new by design and may be absent from the
            checkpoint, e.g. ``(r'norm[0-2]\..*', )`` for the extra output
            norms of a Swin-T feeding a dense head; they keep their
            initialisation and are logged. Defaults to ``()``.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 modules: Sequence[str] = ('backbone', ),
                 allow_missing: Sequence[str] = ()):
        self.modules = tuple(modules)
        self.allow_missing = [re.compile(p) for p in allow_missing]

    def before_train(self, runner) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        for name in self.modules:
            module = model.get_submodule(name)
            init_cfgs = getattr(module, 'init_cfg', None) or []
            if isinstance(init_cfgs, dict):
                init_cfgs = [init_cfgs]
            init_cfgs = [c for c in init_cfgs if c.get('type') == 'Pretrained']
            if not init_cfgs:
                runner.logger.warning(f'StrictPretrainedHook: model.{name} '
                                      'has no Pretrained init_cfg, nothing '
                                      'to check')
            for init_cfg in init_cfgs:
                self._check(runner, name, module, init_cfg)

    def _check(self, runner, name: str, module: nn.Module,
               init_cfg: dict) -> None:
        ckpt, prefix = init_cfg['checkpoint'], init_cfg.get('prefix')
        report = check_pretrained(module, ckpt, prefix,
                                  init_cfg.get('map_location', 'cpu'))
        new = [
            key for key in report['missing'] if any(
                p.fullmatch(key) for p in self.allow_missing)
        ]
        report['missing'] = [k for k in report['missing'] if k not in new]
        problems = [f'missing: {key}' for key in report['missing']]
        problems += [
            f'shape mismatch: {key} checkpoint {src} vs model {dst}'
            for key, src, dst in report['mismatched']
        ]
        if problems:
            raise RuntimeError(
                f'Pretrained checkpoint {ckpt} does not fit model.{name} '
                f'({len(report["missing"])} missing, '
                f'{len(report["mismatched"])} mis-shaped of '
                f'{len(module.state_dict())} tensors):\n  ' +
                '\n  '.join(problems))
        if new:
            runner.logger.info(
                f'StrictPretrainedHook: {len(new)} model.{name} tensors are '
                f'new (allow_missing) and keep their initialisation: '
                f'{", ".join(new)}')
        if report['dropped']:
            runner.logger.info(
                f'StrictPretrainedHook: dropped {len(report["dropped"])} '
                f'checkpoint keys outside prefix {prefix!r}: '
                f'{", ".join(report["dropped"])}')
        if report['unexpected']:
            runner.logger.warning(
                f'StrictPretrainedHook: {len(report["unexpected"])} '
                f'checkpoint keys unused by model.{name}: '
                f'{", ".join(report["unexpected"])}')
        runner.logger.info(f'StrictPretrainedHook: model.{name} has all '
                           f'{len(report["matched"])} tensors in {ckpt}')
