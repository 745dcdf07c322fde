from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.models.losses import weight_reduce_loss


class ElementwiseLoss(nn.Module):
    """Base of an unreduced loss behind mmpretrain's loss interface.

    Subclasses implement :meth:`elementwise`; this class applies the
    optional element weights, the reduction (or ``avg_factor``) and
    ``loss_weight``, as mmpretrain's own losses do.

    Args:
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
            Defaults to ``'mean'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self, reduction: str = 'mean', loss_weight: float = 1.0):
        super().__init__()
        if reduction not in ('none', 'mean', 'sum'):
            raise ValueError(f"reduction must be 'none', 'mean' or 'sum', "
                             f'got {reduction!r}')
        self.reduction = reduction
        self.loss_weight = loss_weight

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        """Unreduced loss, shaped like the ``weight`` it may get."""
        raise NotImplementedError

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """Compute the loss.

        Args:
            pred (torch.Tensor): Predictions (see the subclass).
            target (torch.Tensor): Targets (see the subclass).
            weight (torch.Tensor, optional): Element-wise weights.
            avg_factor (float, optional): Denominator of the mean.
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            torch.Tensor: The weighted loss.
        """
        assert reduction_override in (None, 'none', 'mean', 'sum')
        reduction = reduction_override or self.reduction
        loss = self.elementwise(pred, target)
        if weight is not None:
            weight = weight.float()
        return self.loss_weight * weight_reduce_loss(
            loss, weight=weight, reduction=reduction, avg_factor=avg_factor)
