import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from .drloc_loss import OffsetClassLoss


@MODELS.register_module()
class DrLocCELoss(OffsetClassLoss):
    """Per-axis cross-entropy over the offset classes: L^ce_drloc (Eq. 5).

    The head's MLP ends in a row and a column branch of offset-class logits
    (sized by its ``grid_size`` or ``num_offset_classes``); the two axes'
    cross-entropies are summed per pair.

    Args:
        use_abs (bool): Classify ``|d|`` (the released ``--use_abs``)
            instead of the paper's signed offsets. Defaults to False.
        reduction (str): ``'mean'`` (over images and pairs) or ``'paper'``
            (sum over images). Defaults to ``'mean'``.
        loss_weight (float): lambda. Defaults to 1.0.
    """

    def per_axis(self, logits: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(
            logits.flatten(0, 1), target.flatten(),
            reduction='none').view_as(target)
