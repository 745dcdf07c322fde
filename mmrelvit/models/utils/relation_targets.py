"""Self-supervised RelViT targets as pure functions of a square token grid.

Tokens are in row-major order: token ``t`` sits at row ``t // S`` and column
``t % S`` of the ``S x S`` grid, ``N = S * S``. The closed forms reproduce
the official implementation (``encode_locations.py``) exactly; the tasks
are defined in Camporese et al., *Where are my Neighbors? Exploiting Patches
Relations in Self-Supervised Vision Transformer*, BMVC 2022, Sec. 3, and
summarised in ``configs/relvit/README.md``.
"""
import math
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch

RELATION_CLASSES = ('LU', 'CU', 'RU', 'LC', 'CC', 'RC', 'LD', 'CD', 'RD')
ANGLE_EPS = 1e-4


def grid_side(grid_size: Union[int, Sequence[int]]) -> int:
    """Side ``S`` of a square grid given as ``S`` or ``(S, S)``."""
    if isinstance(grid_size, int):
        side = grid_size
    else:
        h, w = (int(s) for s in grid_size)
        if h != w:
            raise ValueError('RelViT targets are defined on square token '
                             f'grids, got {h}x{w}.')
        side = h
    if side < 1:
        raise ValueError(f'grid side must be positive, got {side}')
    return side


@lru_cache(maxsize=None)
def _identity_targets(side: int,
                      device: torch.device) -> Dict[str, torch.Tensor]:
    """Targets in identity token order, built once per (side, device)."""
    n = side * side
    # float64 keeps arccos accurate near 1; MPS has no float64.
    dtype = torch.float32 if device.type == 'mps' else torch.float64
    pos = torch.arange(n, device=device)
    row, col = pos // side, pos % side

    # "token i is <rel> of token j": 0/1/2 = L/C/R (cols), U/C/D (rows).
    sx = torch.sign(col[:, None] - col[None, :]) + 1
    sy = torch.sign(row[:, None] - row[None, :]) + 1
    relation = 3 * sy + sx

    if side == 1:
        # Both maps are 0/0 for a single token; use their diagonal value.
        distance = angle = torch.full((1, 1), -1., device=device)
    else:
        xy = torch.stack((col, row), dim=1).to(dtype)
        dist = torch.cdist(xy, xy)
        distance = 2 * dist / (math.sqrt(2) * (side - 1)) - 1

        q = xy + side / 2
        norm = q.norm(dim=1)
        cos = (q @ q.T) / (norm[:, None] * norm[None, :] + ANGLE_EPS)
        raw = torch.arccos(cos.clamp(-1, 1)) / math.pi
        raw.fill_diagonal_(0)
        angle = 2 * raw / raw.max() - 1

    return dict(
        relation=relation.long(),
        distance=distance.float(),
        angle=angle.float(),
        position=pos.long())


def relation_targets(
    grid_size: Union[int, Sequence[int]],
    permutation: Optional[torch.Tensor] = None,
    device: Optional[Union[str,
                           torch.device]] = None) -> Dict[str, torch.Tensor]:
    """RelViT targets for a square grid, optionally under a permutation.

    - ``relation`` (int64): class ``3 * vertical + horizontal`` of token i
      relative to token j, order :data:`RELATION_CLASSES`; sign only, so
      ``CC`` (4) occurs only on the diagonal and ``rel[j, i] = 8 - rel[i, j]``.
    - ``distance`` (float32): Euclidean distance of the cells rescaled to
      [-1, 1] by the farthest pair (diagonal -1, opposite corners +1).
    - ``angle`` (float32): angle between the cells' position vectors from
      the origin shifted by ``-S/2`` (arccos with 1e-4 in the denominator),
      divided by pi, 0 on the diagonal, rescaled to [-1, 1] by the max.
    - ``position`` (int64): the original index of each token.

    For ``S == 1`` the distance and angle maps, 0/0 in the reference
    implementation, are defined as -1 (their diagonal value).

    Identity-order tensors are cached per ``(S, device)`` and returned
    without a copy when ``permutation`` is None: do not modify them in place.

    Args:
        grid_size (int | tuple[int, int]): ``S`` or ``(S, S)``.
        permutation (torch.Tensor, optional): Int tensor of shape (N, ) or
            (B, N); slot ``a`` holds original token ``permutation[a]``, so
            ``relation[a, b] = rel[perm[a], perm[b]]``. Defaults to None.
        device (str | torch.device, optional): Device of the targets.
            Defaults to the permutation's device, else CPU.

    Returns:
        dict[str, torch.Tensor]: ``relation``, ``distance``, ``angle`` of
        shape (N, N) or (B, N, N) and ``position`` of shape (N, ) or (B, N).
    """
    side = grid_side(grid_size)
    if device is None:
        device = (
            permutation.device
            if permutation is not None else torch.device('cpu'))
    device = torch.device(device)
    if device.type == 'cuda' and device.index is None:
        device = torch.device('cuda', torch.cuda.current_device())
    targets = _identity_targets(side, device)
    if permutation is None:
        return targets

    n = side * side
    perm = permutation.to(device=device, dtype=torch.long)
    if perm.dim() not in (1, 2) or perm.shape[-1] != n:
        raise ValueError(f'permutation must have shape (N,) or (B, N) with '
                         f'N={n}, got {tuple(permutation.shape)}')
    rows, cols = perm.unsqueeze(-1), perm.unsqueeze(-2)
    out = {
        key: targets[key][rows, cols]
        for key in ('relation', 'distance', 'angle')
    }
    out['position'] = perm
    return out


def batch_patch_perm(data_samples: Optional[List],
                     num_tokens: int,
                     device: Union[str, torch.device] = 'cpu',
                     key: str = 'patch_perm') -> Optional[torch.Tensor]:
    """Stack the per-sample patch permutations of a batch.

    Args:
        data_samples (list, optional): Data samples; a sample's permutation
            is its ``key`` field (metainfo or data), an int sequence of
            length ``num_tokens``. Samples without one use the identity.
        num_tokens (int): Tokens N of the grid the heads see.
        device (str | torch.device): Device of the result.
        key (str): Field name. Defaults to ``'patch_perm'``.

    Returns:
        torch.Tensor | None: (B, N) int64, or None if no sample has one.
    """
    perms = [
        sample.get(key, None) if sample is not None else None
        for sample in (data_samples or [])
    ]
    if all(p is None for p in perms):
        return None
    rows = []
    for p in perms:
        p = (torch.arange(num_tokens) if p is None else torch.as_tensor(p))
        if p.shape != (num_tokens, ):
            raise ValueError(
                f'{key} has shape {tuple(p.shape)} but the token grid has '
                f'{num_tokens} tokens: the pipeline patch size must give the '
                'grid the heads see.')
        rows.append(p)
    return torch.stack(rows).to(device=device, dtype=torch.long)


def grid_hw(x: torch.Tensor) -> Tuple[int, int]:
    """(h, w) of a (B, C, h, w) token grid, with a clear error otherwise."""
    if x.dim() != 4:
        raise ValueError('expected a token grid of shape (B, C, h, w), got '
                         f'shape {tuple(x.shape)}')
    return x.shape[2], x.shape[3]
