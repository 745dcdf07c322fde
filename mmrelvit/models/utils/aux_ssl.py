from typing import Dict, Optional, Sequence, Union

import torch.nn as nn
from torch import Tensor


def check_in_index(name: str, in_index: Union[int, Sequence[int]],
                   num_outputs: int) -> list:
    """The indices of ``in_index`` (an int or a sequence), or a ValueError
    naming the aux head when one is not a backbone output."""
    indices = [in_index] if isinstance(in_index, int) else list(in_index)
    for i in indices:
        if not isinstance(i, int) or not -num_outputs <= i < num_outputs:
            raise ValueError(
                f'aux head {name!r}: in_index {in_index!r} is out of range: '
                f'the backbone returns {num_outputs} output(s) (its '
                'out_indices), so valid indices are '
                f'{-num_outputs}..{num_outputs - 1}.')
    return indices


def check_aux_grids(name: str, head: nn.Module,
                    grids: Sequence[Tensor]) -> None:
    """Refuse grids an aux head cannot learn from, with one clear error.

    - channels that differ from the head's ``in_channels`` (an int, or one
      entry per grid), which would otherwise fail in a matmul;
    - a 1x1 grid: a single token has no relation, position or offset to
      predict, so the loss would be 0 from the first step.

    Args:
        name (str): The head's name in ``aux_heads``.
        head (nn.Module): The head.
        grids (Sequence[Tensor]): The (B, C, h, w) grids it reads.
    """
    channels = getattr(head, 'in_channels', None)
    if isinstance(channels, int):
        channels = [channels] * len(grids)
    for i, grid in enumerate(grids):
        if grid.dim() != 4:
            continue
        where = f'aux head {name!r} ({type(head).__name__})'
        if len(grids) > 1:
            where += f' grid {i}'
        if channels is not None and i < len(channels) and \
                grid.shape[1] != channels[i]:
            raise ValueError(
                f'{where}: in_channels is {channels[i]}, but the backbone '
                f'grid it reads has {grid.shape[1]} channels (shape '
                f'{tuple(grid.shape)}); set in_channels={grid.shape[1]}.')
        if grid.shape[2] * grid.shape[3] == 1:
            raise ValueError(
                f'{where}: the token grid is 1x1, a single token: there is '
                'no relation, position or offset to predict (the loss '
                'would be 0 from the start). Use larger images, a smaller '
                'patch size or less pooling (grid_pool).')


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
        indices = check_in_index(name, in_index, len(grids))
        selected = [
            grids[i] if grid_pool is None else grid_pool(grids[i])
            for i in indices
        ]
        check_aux_grids(name, head, selected)
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
