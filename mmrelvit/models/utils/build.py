from typing import Dict, Optional, Union

import torch.nn as nn
from mmpretrain.registry import MODELS

ModuleCfg = Union[dict, nn.Module]


def build_pretrain_module(cfg: Optional[ModuleCfg]) -> Optional[nn.Module]:
    """Build ``cfg`` in mmpretrain's scope whatever the default scope is.

    The classifier, detector and segmentor wrappers build the same heads; a
    bare type nested in an mmdet/mmseg config would otherwise be looked up
    in that library's registry and fail (conventions §1.5).
    """
    if cfg is None or isinstance(cfg, nn.Module):
        return cfg
    cfg = dict(cfg)
    cfg.setdefault('_scope_', 'mmpretrain')
    return MODELS.build(cfg)


def build_grid_pool(cfg: Optional[ModuleCfg]) -> Optional[nn.Module]:
    """Like :func:`build_pretrain_module`, also accepting plain ``torch.nn``
    layer names (``AvgPool2d`` is in no OpenMMLab registry)."""
    if isinstance(cfg, dict) and isinstance(cfg.get('type'), str):
        name = cfg['type']
        if MODELS.get(name) is None and hasattr(nn, name):
            kwargs = {k: v for k, v in cfg.items() if k != 'type'}
            return getattr(nn, name)(**kwargs)
    return build_pretrain_module(cfg)


def build_aux_heads(cfgs: Optional[Dict[str, ModuleCfg]]) -> nn.ModuleDict:
    """Build the ``aux_heads`` of the classifier, detector and segmentor
    wrappers.

    Args:
        cfgs (dict, optional): ``{name: head cfg or module}``; each is built
            by :func:`build_pretrain_module`.

    Returns:
        nn.ModuleDict: The heads by name (empty for None).
    """
    return nn.ModuleDict({
        name: build_pretrain_module(cfg)
        for name, cfg in (cfgs or {}).items()
    })
