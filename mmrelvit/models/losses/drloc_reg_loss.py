import torch
from mmpretrain.registry import MODELS

from .drloc_loss import OffsetClassLoss, check_choice

_LOG_TERMS = ('sigma', 'var')
# Keeps log(var) finite when a branch collapses onto one class (as in the
# authors' code).
_VAR_EPS = 1e-8


@MODELS.register_module()
class DrLocRegLoss(OffsetClassLoss):
    """Gaussian-prior regression on the offset-class posterior: L^reg_drloc
    (Eq. 6), the code's ``cbr``.

    Per axis, with ``p`` the softmax of the branch's logits over the classes
    ``c`` and ``t`` the target class: ``mu = sum_c p[c] c``,
    ``var = sum_c p[c] (c - mu)^2 + 1e-8`` and the loss
    ``(t - mu)^2 / var + alpha * log(sigma)``; the code writes
    ``alpha * log(var)`` (``log_term='var'``).

    Args:
        use_abs (bool): Classes of ``|d|`` (the released ``--use_abs``)
            instead of the paper's signed offsets. Defaults to False.
        alpha (float): Weight of the log term. Defaults to 0.001.
        log_term (str): ``'sigma'`` (paper) or ``'var'`` (code).
            Defaults to ``'sigma'``.
        reduction (str): ``'mean'`` (over images and pairs) or ``'paper'``
            (sum over images). Defaults to ``'mean'``.
        loss_weight (float): lambda. Defaults to 1.0.
    """

    def __init__(self,
                 use_abs: bool = False,
                 alpha: float = 0.001,
                 log_term: str = 'sigma',
                 reduction: str = 'mean',
                 loss_weight: float = 1.0):
        super().__init__(use_abs, reduction, loss_weight)
        check_choice('log_term', log_term, _LOG_TERMS)
        self.alpha = alpha
        self.log_term = log_term

    def per_axis(self, logits: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
        # Class indices stand for the offsets (shifted by r when signed);
        # the shift moves mu and the target together, so the loss is the
        # one on {-r..r}. The class count is not neutral: extra classes
        # widen the posterior's support and change mu and var.
        prob = logits.softmax(dim=-1)
        classes = torch.arange(
            logits.size(-1), device=logits.device, dtype=prob.dtype)
        mu = (prob * classes).sum(dim=-1)
        var = (prob * (classes - mu.unsqueeze(-1))**2).sum(dim=-1) + _VAR_EPS
        log_var = var.log()
        log_term = log_var if self.log_term == 'var' else 0.5 * log_var
        return (target - mu)**2 / var + self.alpha * log_term

    def extra_repr(self) -> str:
        return (f'alpha={self.alpha}, log_term={self.log_term}, '
                f'{super().extra_repr()}')
