import math

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
from mmpretrain.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class RelViTLR(LRSchedulerMixin, _ParamScheduler):
    """RelViT's learning-rate schedule (the reference ``DecayLR``).

    With ``T = end - begin`` scheduled steps, ``W = floor(warmup_ratio * T)``
    and ``s`` the step counted from ``begin``:

    - ``s < W``: ``lr = lr0 * s / W`` (linear warm-up from 0);
    - ``s >= W``: ``lr = eta_min + (lr0 - eta_min) * cos(pi / 2 * s / T)``,
      a quarter cosine whose progress counts from step 0, not from ``W``
      (so it is not mmengine's half-cosine ``CosineAnnealingLR``).

    The value is a closed form of the step, so resuming needs only the step
    count. The reference sets it every iteration: use ``by_epoch=False`` or
    an epoch-based config with ``convert_to_iter_based=True``.

    Args:
        optimizer (Optimizer | OptimWrapper): The optimizer.
        warmup_ratio (float): Fraction of the steps spent warming up.
            Defaults to 0.1.
        eta_min (float): Floor of the cosine. Defaults to 1.25e-6.
        begin (int): First scheduled step. Defaults to 0.
        end (int): Step after the last scheduled one; must be finite.
        last_step (int): See :class:`mmengine.optim._ParamScheduler`.
        by_epoch (bool): Whether ``begin``/``end`` count epochs.
            Defaults to True.
        verbose (bool): Print every update. Defaults to False.
    """

    def __init__(self,
                 optimizer,
                 warmup_ratio: float = 0.1,
                 eta_min: float = 1.25e-6,
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False):
        if end >= INF:
            raise ValueError('RelViTLR needs a finite `end` (the length of '
                             'the schedule).')
        if not 0 <= warmup_ratio < 1:
            raise ValueError(f'warmup_ratio must be in [0, 1), got '
                             f'{warmup_ratio}')
        self.warmup_ratio = warmup_ratio
        self.eta_min = eta_min
        self.total_steps = end - begin
        # floor, robust to float error (0.1 * 70 = 7.000000000000001)
        self.warmup_steps = int(
            math.floor(warmup_ratio * self.total_steps + 1e-9))
        super().__init__(
            optimizer,
            begin=begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls,
                              *args,
                              begin=0,
                              end=INF,
                              by_epoch=True,
                              epoch_length=None,
                              **kwargs):
        """Build an iter-based instance from an epoch-based config."""
        assert by_epoch, 'Only epoch-based kwargs whose `by_epoch=True` can ' \
                         'be converted to iter-based.'
        assert epoch_length is not None and epoch_length > 0, \
            f'`epoch_length` must be a positive integer, ' \
            f'but got {epoch_length}.'
        begin = int(begin * epoch_length)
        if end != INF:
            end = int(end * epoch_length)
        return cls(*args, begin=begin, end=end, by_epoch=False, **kwargs)

    def lr_at(self, base_lr: float, step: int) -> float:
        """Learning rate at ``step`` (counted from ``begin``)."""
        if step < self.warmup_steps:
            return base_lr * step / self.warmup_steps
        progress = step / self.total_steps
        return self.eta_min + (base_lr - self.eta_min) * math.cos(
            math.pi / 2 * progress)

    def _get_value(self):
        return [self.lr_at(base, self.last_step) for base in self.base_values]
