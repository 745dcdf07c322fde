import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from .weighted_loss import ElementwiseLoss


@MODELS.register_module()
class MSELoss(ElementwiseLoss):
    """Mean squared error with a loss weight (mmpretrain loss interface).

    ``pred`` of any shape; ``target`` broadcastable to it.

    Args:
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
            Defaults to ``'mean'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(
            pred, target.to(pred.dtype).expand_as(pred), reduction='none')
