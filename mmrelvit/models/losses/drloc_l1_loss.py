import torch
from mmpretrain.registry import MODELS

from ..utils.drloc_targets import TARGET_NORMS, regression_targets
from .drloc_loss import DrLocLoss, check_choice


@MODELS.register_module()
class DrLocL1Loss(DrLocLoss):
    """L1 regression of the offsets of DrLoc pairs (Eq. 2 / 3).

    With ``(du, dv) = p1 - p2`` the offset in cells and ``k_u = H``,
    ``k_v = W`` the grid size of each axis, the head's MLP predicts two
    floats per pair and the target is

    - ``use_abs=True``: L_drloc (Eq. 2), ``|du| / k_u, |dv| / k_v``;
    - ``use_abs=False``: L*_drloc (Eq. 3), ``du / k_u, dv / k_v``. The
      authors' code shifts the offset by ``k - 1`` instead of keeping the
      sign; for an L1 regression that only moves the last bias, so the
      paper's signed target is kept.

    Args:
        use_abs (bool): Unsigned targets. Defaults to True.
        target_norm (str): ``'paper'`` divides offsets by k (Eq. 1/3,
            App. A), ``'none'`` keeps raw integer offsets (released
            ``--use_abs`` runs; the lambdas 0.1/0.5 were tuned with it),
            ``'unit'`` divides by ``k - 1`` (the code's unused
            ``normalize=True``). The scale moves the regression optimum, so
            ``'paper'`` and ``'none'`` train differently.
            Defaults to ``'paper'``.
        reduction (str): ``'mean'`` (over images, pairs and the two
            coordinates, the code's ``F.l1_loss``) or ``'paper'`` (``2 * B``
            times ``'mean'``). Defaults to ``'mean'``.
        loss_weight (float): lambda. Defaults to 1.0.
    """

    num_coords = 2

    def __init__(self,
                 use_abs: bool = True,
                 target_norm: str = 'paper',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0):
        super().__init__(use_abs, reduction, loss_weight)
        check_choice('target_norm', target_norm, TARGET_NORMS)
        self.target_norm = target_norm

    def get_targets(self, pos1, pos2, grid_hw, num_classes=None):
        """Float offsets ``(B, m, 2)``; ``num_classes`` is unused."""
        return regression_targets(pos1, pos2, grid_hw, not self.use_abs,
                                  self.target_norm)

    def per_pair(self, pred: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
        """``|pred - target|`` summed over the two coordinates: ``(B, m, 2)``
        -> ``(B, m)``."""
        return (pred - target).abs().sum(dim=-1)

    def extra_repr(self) -> str:
        return f'target_norm={self.target_norm}, {super().extra_repr()}'
