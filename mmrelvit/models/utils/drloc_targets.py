"""DrLoc targets as pure functions of the sampled cell pairs.

``delta = pos1 - pos2`` is the signed offset ``(du, dv)`` in cells of a pair
of grid cells ``(row, col)``. The L1 objectives (``DrLocL1Loss``) regress
it (signed or unsigned, optionally scaled); the classification ones
(``DrLocCELoss``, ``DrLocRegLoss``) predict one class per axis among ``n``
offset classes, laid out either as

- **signed**: the ``n = 2r + 1`` offsets ``-r..r``, class ``d + r``. The
  paper's Eq. 5 uses ``r = k`` (``2k + 1`` classes); the authors' Swin runs
  without ``--use_abs`` use ``r = H - 1`` (``2H - 1`` classes);
- **unsigned** (the released ``--use_abs`` runs): the ``n`` offsets
  ``0..n-1``, class ``|d|``. The authors' code uses ``n = H`` for Swin
  (``img_size // 32``) and ``n = 14`` for the 7x7 grids of ViT, T2T-ViT,
  CvT and ResNet.

See ``configs/drloc/README.md`` and Liu et al., *Efficient Training of
Visual Transformers with Small Datasets*, NeurIPS 2021, Sec. 4 and App. A.
"""
import operator
from typing import Callable, List, Optional, Sequence, Tuple

import torch

PerAxis = Tuple[int, int]

TARGET_NORMS = ('paper', 'none', 'unit')


def per_axis(op: Callable, delta: torch.Tensor,
             values: Sequence) -> torch.Tensor:
    """Apply ``op`` with one Python scalar per axis of ``delta (..., 2)``.

    Scalars keep target building free of host-to-device copies: a
    ``new_tensor`` of the grid sizes would be one (a CUDA synchronisation)
    in every training step.
    """
    rows, cols = values
    if rows == cols:
        return op(delta, rows)
    return torch.stack((op(delta[..., 0], rows), op(delta[..., 1], cols)),
                       dim=-1)


def regression_targets(pos1: torch.Tensor,
                       pos2: torch.Tensor,
                       grid_hw: PerAxis,
                       signed: bool = False,
                       target_norm: str = 'paper') -> torch.Tensor:
    """Float offsets regressed by ``DrLocL1Loss`` (unsigned or signed).

    Args:
        pos1, pos2 (Tensor): Endpoints ``(B, m, 2)`` as ``(row, col)``.
        grid_hw (tuple[int, int]): Grid size ``(H, W)``.
        signed (bool): Keep the sign of the offset. Defaults to False.
        target_norm (str): ``'paper'`` divides by ``H`` / ``W`` (Eq. 1),
            ``'none'`` keeps the raw cell offsets (the released code),
            ``'unit'`` divides by ``H - 1`` / ``W - 1``.

    Returns:
        Tensor: ``(B, m, 2)`` float32 targets.
    """
    if target_norm not in TARGET_NORMS:
        raise ValueError(f'target_norm must be one of {TARGET_NORMS}, '
                         f'got {target_norm!r}')
    delta = (pos1 - pos2).float()
    if not signed:
        delta = delta.abs()
    H, W = grid_hw
    if target_norm == 'paper':
        return per_axis(operator.truediv, delta, (H, W))
    if target_norm == 'unit':
        # A one-cell axis only has the offset 0; avoid dividing by 0.
        return per_axis(operator.truediv, delta,
                        (max(H - 1, 1), max(W - 1, 1)))
    return delta


def default_offset_classes(grid_size: PerAxis, use_abs: bool) -> PerAxis:
    """Class counts per axis derived from the largest grid ``(k_u, k_v)``.

    ``k`` unsigned classes (offsets ``0..k-1``) or the paper's ``2k + 1``
    signed ones (offsets ``-k..k``).
    """
    if use_abs:
        return tuple(grid_size)
    return tuple(2 * k + 1 for k in grid_size)


def check_offset_classes(num_classes: PerAxis, use_abs: bool) -> None:
    """Raise if ``num_classes`` cannot hold an offset layout."""
    for n in num_classes:
        if not isinstance(n, int) or n < 1:
            raise ValueError('offset class counts must be positive ints, '
                             f'got {tuple(num_classes)}')
        if not use_abs and n % 2 == 0:
            raise ValueError(
                'signed offset classes are centred on 0 (2r + 1 classes for '
                f'-r..r), so their count must be odd; got {n}. The released '
                'code with --use_abs classifies |d|: set use_abs=True.')


def max_offsets(num_classes: PerAxis, use_abs: bool) -> PerAxis:
    """Largest ``|d|`` each axis' classes can hold."""
    if use_abs:
        return tuple(n - 1 for n in num_classes)
    return tuple((n - 1) // 2 for n in num_classes)


def offset_class_targets(pos1: torch.Tensor, pos2: torch.Tensor,
                         num_classes: PerAxis, use_abs: bool) -> torch.Tensor:
    """Class index of each pair's offset, per axis.

    Args:
        pos1, pos2 (Tensor): Endpoints ``(B, m, 2)`` as ``(row, col)``.
        num_classes (tuple[int, int]): Offset classes of each axis.
        use_abs (bool): Unsigned layout (class ``|d|``) instead of the
            centred signed one (class ``d + (n - 1) // 2``).

    Returns:
        Tensor: ``(B, m, 2)`` int64 class indices.
    """
    delta = pos1 - pos2
    if use_abs:
        return delta.abs()
    return per_axis(operator.add, delta, max_offsets(num_classes, False))


def check_grid_fits(grid_hw: PerAxis,
                    num_classes: PerAxis,
                    use_abs: bool,
                    grid_id: int = 0) -> None:
    """Raise if a ``(H, W)`` grid has offsets that have no class.

    A pair on an ``H x W`` grid can be ``H - 1`` rows / ``W - 1`` columns
    apart; a class layout holding less would turn those pairs into
    out-of-range targets deep in the loss.

    Args:
        grid_hw (tuple[int, int]): Grid size ``(H, W)``.
        num_classes (tuple[int, int]): Offset classes of each axis.
        use_abs (bool): Unsigned layout instead of the signed one.
        grid_id (int): Which grid of a multi-grid head, for the message.
            Defaults to 0.
    """
    reach = max_offsets(num_classes, use_abs)
    if any(size - 1 > r for size, r in zip(grid_hw, reach)):
        kind = 'unsigned' if use_abs else 'signed'
        raise ValueError(
            f'Grid {tuple(grid_hw)} of DrLoc grid {grid_id} has offsets up '
            f'to {tuple(s - 1 for s in grid_hw)}, which exceeds the {kind} '
            f'offset classes {tuple(num_classes)} (largest |d| {reach}); '
            'raise grid_size or num_offset_classes.')


def per_grid_classes(grid_size,
                     num_offset_classes,
                     use_abs: bool,
                     num_grids: Optional[int] = None) -> List[PerAxis]:
    """Offset classes ``(rows, cols)`` of each grid of a DrLoc head.

    Exactly one of the two settings sizes the classes: ``grid_size`` (the
    largest grid ``k`` or ``(H, W)``, see :func:`default_offset_classes`)
    or ``num_offset_classes`` (the counts themselves).

    Args:
        grid_size, num_offset_classes: An int or ``(rows, cols)``; for a
            multi-grid head also one such entry per grid.
        use_abs (bool): Unsigned layout instead of the signed one.
        num_grids (int, optional): Grids of a multi-grid head; None for a
            single-grid one.

    Returns:
        list[tuple[int, int]]: One entry per grid.
    """
    if (grid_size is None) == (num_offset_classes is None):
        raise ValueError(
            'A classification DrLoc loss needs exactly one of grid_size or '
            'num_offset_classes to size the offset classifiers, got '
            f'grid_size={grid_size!r}, '
            f'num_offset_classes={num_offset_classes!r}.')
    name, value = (('grid_size', grid_size) if num_offset_classes is None else
                   ('num_offset_classes', num_offset_classes))
    if num_grids is None:
        values = [value]
    else:
        if isinstance(value, int):
            value = [value] * num_grids
        if len(value) != num_grids:
            raise ValueError(f'A multi-grid ce/reg DrLocHead needs an int '
                             f'or one {name} entry per in_index entry, got '
                             f'{name}={value!r}.')
        values = list(value)
    sizes = [(v, v) if isinstance(v, int) else tuple(v) for v in values]
    if any(len(v) != 2 for v in sizes):
        raise ValueError(f'{name} takes an int or (rows, cols) per grid, '
                         f'got {name}={value!r}.')
    if num_offset_classes is None:
        sizes = [default_offset_classes(k, use_abs) for k in sizes]
    for n in sizes:
        check_offset_classes(n, use_abs)
    return sizes
