from typing import Dict, Optional, Sequence

import torch.nn as nn
from torch import Tensor


def add_aux_head_losses(losses: Dict[str, Tensor],
                        aux_heads: nn.ModuleDict,
                        grids: Sequence[Tensor],
                        data_samples: list,
                        grid_pool: Optional[nn.Module] = None) -> dict:
    """Add every SSL head's terms to a dense-prediction model's losses.

    The detector and segmentor wrappers feed the heads the same way, so the
    selection, pooling and name-clash rules live here once.

    Args:
        losses (dict[str, Tensor]): The model's own losses; updated in
            place.
        aux_heads (nn.ModuleDict): ``{name: head}``. Each head provides
            ``loss(x, data_samples) -> dict`` and reads
            ``grids[head.in_index]`` (default -1; a sequence gives a tuple).
        grids (Sequence[Tensor]): Backbone output maps (B, C, h, w).
        data_samples (list): The batch's data samples, passed to the heads.
        grid_pool (nn.Module, optional): Applied to each grid a head reads.
            Defaults to None.

    Returns:
        dict[str, Tensor]: ``losses``, with the heads' terms added.
    """
    for name, head in aux_heads.items():
        in_index = getattr(head, 'in_index', -1)
        indices = [in_index] if isinstance(in_index, int) else in_index
        selected = [
            grids[i] if grid_pool is None else grid_pool(grids[i])
            for i in indices
        ]
        head_in = (
            selected[0] if isinstance(in_index, int) else tuple(selected))
        for key, value in head.loss(head_in, data_samples).items():
            # A silent overwrite would drop a detection/segmentation loss.
            if key in losses:
                raise KeyError(
                    f'aux head {name!r} returns {key!r}, which is '
                    'already a loss of this model; give each task one '
                    'head.')
            losses[key] = value
    return losses
