"""Shared machinery of the DrLoc offset objectives.

:class:`DrLocHead` samples pairs of grid cells and runs its MLP; the loss it
is configured with decides what the MLP predicts (float offsets or per-axis
offset classes), builds the targets from the pairs
(:mod:`mmrelvit.models.utils.drloc_targets`) and reduces the per-pair
losses. The registered objectives live one per file:
:class:`DrLocL1Loss`, :class:`DrLocCELoss` and :class:`DrLocRegLoss`;
:func:`legacy_loss_cfg` maps the head's pre-split keywords onto them.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from ..utils.drloc_targets import offset_class_targets

_REDUCTIONS = ('mean', 'paper')
# The old ``mode`` keyword -> the loss it stood for (see legacy_loss_cfg).
_LEGACY_MODES = dict(
    l1='DrLocL1Loss',
    l1_signed='DrLocL1Loss',
    ce='DrLocCELoss',
    reg='DrLocRegLoss')

Prediction = Union[torch.Tensor, Sequence[torch.Tensor]]


def check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    """Refuse a string option outside ``allowed``, naming the choices."""
    if value not in allowed:
        raise ValueError(f'{name} must be one of {allowed}, got {value!r}')


class DrLocLoss(nn.Module):
    """Base of a DrLoc objective: targets, per-pair loss, reduction.

    Subclasses set :attr:`classifies` (whether the head's MLP ends in two
    offset-class branches) and implement :meth:`get_targets` and
    :meth:`per_pair`.

    Args:
        use_abs (bool): Unsigned targets ``|d|`` instead of the signed
            offsets ``d``.
        reduction (str): ``'mean'`` averages over images and pairs (and,
            with two regressed coordinates, over those); it is both the
            paper's App. A pseudo-code and the released code, and keeps
            lambda independent of the per-GPU batch size. ``'paper'`` is
            Eq. 2/5/6 literally: sum over images, mean over pairs, sum over
            the two axes, so lambda must shrink with the batch size.
            Defaults to ``'mean'``.
        loss_weight (float): lambda. :class:`DrLocLambdaHook` rescales it
            each epoch from the head's ``base_loss_weight``.
            Defaults to 1.0.
    """

    #: Whether predictions are per-axis class logits (else float offsets).
    classifies = False
    #: Entries summed into one per-pair loss that ``'mean'`` averages over.
    num_coords = 1

    def __init__(self,
                 use_abs: bool,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0):
        super().__init__()
        check_choice('reduction', reduction, _REDUCTIONS)
        self.use_abs = use_abs
        self.reduction = reduction
        self.loss_weight = loss_weight

    def get_targets(self, pos1: torch.Tensor, pos2: torch.Tensor,
                    grid_hw: Tuple[int, int],
                    num_classes: Optional[Tuple[int, int]]) -> torch.Tensor:
        """Targets ``(B, m, 2)`` of the pairs ``pos1``, ``pos2`` ``(B, m, 2)``
        on a ``grid_hw`` grid with ``num_classes`` offset classes per axis
        (None when the objective regresses)."""
        raise NotImplementedError

    def per_pair(self, pred: Prediction, target: torch.Tensor) -> torch.Tensor:
        """Loss ``(B, m)`` of each pair, summed over its two axes."""
        raise NotImplementedError

    def reduce(self, per_pair: torch.Tensor) -> torch.Tensor:
        """Scalar from the ``(B, m)`` per-pair losses."""
        if self.reduction == 'paper':
            # Eq. 2: sum over images of the expectation over pairs.
            return per_pair.mean(dim=1).sum()
        return per_pair.mean() / self.num_coords

    def unweighted(self, pred: Prediction,
                   target: torch.Tensor) -> torch.Tensor:
        """The reduced loss before ``loss_weight``: what a multi-grid head
        logs per grid, and what it sums over grids before weighting."""
        return self.reduce(self.per_pair(pred, target))

    def forward(self, pred: Prediction, target: torch.Tensor) -> torch.Tensor:
        """``loss_weight`` times the reduced loss.

        Args:
            pred (Tensor | tuple[Tensor, Tensor]): ``(B, m, 2)`` offsets or
                the row and column logits ``(B, m, n_u)``, ``(B, m, n_v)``.
            target (Tensor): ``(B, m, 2)`` from :meth:`get_targets`.

        Returns:
            Tensor: Scalar loss.
        """
        return self.loss_weight * self.unweighted(pred, target)

    def extra_repr(self) -> str:
        return (f'use_abs={self.use_abs}, reduction={self.reduction}, '
                f'loss_weight={self.loss_weight}')


class OffsetClassLoss(DrLocLoss):
    """Base of the objectives on per-axis offset classes (Eq. 5 / 6).

    The head's MLP ends in a row and a column branch; the target of each
    axis is the class of its offset (``|d|`` with ``use_abs``, else
    ``d + r`` of ``2r + 1`` signed classes) and the per-pair loss sums the
    two axes' losses (:meth:`per_axis`).

    Args:
        use_abs (bool): Classify ``|d|`` (the released ``--use_abs``).
            Defaults to False (the paper's signed classes).
        reduction (str): See :class:`DrLocLoss`. Defaults to ``'mean'``.
        loss_weight (float): lambda. Defaults to 1.0.
    """

    classifies = True

    def __init__(self,
                 use_abs: bool = False,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0):
        super().__init__(use_abs, reduction, loss_weight)

    def get_targets(self, pos1, pos2, grid_hw, num_classes):
        return offset_class_targets(pos1, pos2, num_classes, self.use_abs)

    def per_axis(self, logits: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
        """Loss of one axis: ``(B, m, n)``, ``(B, m)`` -> ``(B, m)``."""
        raise NotImplementedError

    def per_pair(self, pred, target):
        return sum(
            self.per_axis(logits, target[..., axis])
            for axis, logits in enumerate(pred))


def legacy_loss_cfg(mode: str = 'l1',
                    target_norm: str = 'paper',
                    reduction: str = 'mean',
                    use_abs: bool = False,
                    reg_alpha: float = 0.001,
                    reg_log_term: str = 'sigma',
                    loss_weight: float = 1.0) -> dict:
    """The ``loss`` config of the pre-split ``DrLocHead`` keywords.

    Until issue 18 the head took its objective as ``mode`` (``'l1'``,
    ``'l1_signed'``, ``'ce'``, ``'reg'``) plus flat keywords, with the
    defaults above; old configs keep resolving to the same computation.
    ``'l1'`` was unsigned whatever ``use_abs`` said; only the keywords of
    the chosen mode reach the loss.
    """
    if mode not in _LEGACY_MODES:
        raise ValueError(
            f'mode must be one of {tuple(_LEGACY_MODES)}, got {mode!r}')
    if use_abs and mode == 'l1_signed':
        raise ValueError("use_abs=True contradicts mode='l1_signed'; "
                         "the unsigned L1 variant is mode='l1'.")
    loss = dict(
        type=_LEGACY_MODES[mode],
        reduction=reduction,
        loss_weight=loss_weight,
        use_abs=use_abs or mode == 'l1')
    if mode.startswith('l1'):
        loss.update(target_norm=target_norm)
    elif mode == 'reg':
        loss.update(alpha=reg_alpha, log_term=reg_log_term)
    return loss
