"""DrLoc pair sampling and gathering as pure functions of the grid."""
from typing import Optional, Tuple, Union

import torch


def sample_pairs(
    batch_size: int,
    grid_hw: Tuple[int, int],
    num_pairs: int,
    device: Union[str, torch.device] = 'cpu',
    generator: Optional[torch.Generator] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Draw ``num_pairs`` ordered pairs of cells per image.

    Every coordinate is iid uniform (with replacement), rows on ``[0, H)``
    and columns on ``[0, W)`` (separately, so non-square grids work), from
    ``generator`` or the global RNG of ``device``.

    Args:
        batch_size (int): Images B.
        grid_hw (tuple[int, int]): Grid size ``(H, W)``.
        num_pairs (int): Pairs m per image.
        device (str | torch.device): Where to draw. Defaults to ``'cpu'``.
        generator (torch.Generator, optional): Defaults to the global RNG.

    Returns:
        tuple[Tensor, Tensor]: First and second endpoints, each
        ``(B, m, 2)`` int64 ``(row, col)``.
    """
    H, W = grid_hw
    size = (batch_size, num_pairs)

    def draw(high):
        return torch.randint(high, size, device=device, generator=generator)

    pos1 = torch.stack([draw(H), draw(W)], dim=-1)
    pos2 = torch.stack([draw(H), draw(W)], dim=-1)
    return pos1, pos2


def gather_cells(x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    """Pick the embeddings at ``pos`` from a grid.

    Args:
        x (Tensor): Grid ``(B, C, H, W)``.
        pos (Tensor): ``(row, col)`` positions ``(B, m, 2)``.

    Returns:
        Tensor: ``(B, m, C)``.
    """
    B, C, H, W = x.shape
    index = pos[..., 0] * W + pos[..., 1]  # (B, m)
    tokens = x.flatten(2).transpose(1, 2)  # (B, H*W, C)
    return tokens.gather(1, index.unsqueeze(-1).expand(-1, -1, C))
