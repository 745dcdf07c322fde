from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import HOOKS

from mmrelvit.models.heads.drloc_head import DrLocHead


@HOOKS.register_module()
class DrLocLambdaHook(Hook):
    """Epoch-wise schedule of the DrLoc loss weight lambda.

    The paper presents lambda as a constant; the authors' training script
    ramps it up linearly from 0 over ``warmup_epochs`` and then decays it
    linearly to 0 at ``decay_end_epoch`` (its ``total_epochs``, 300 by
    default, even in the 100-epoch runs). With ``e`` the 0-based epoch,
    ``W = warmup_epochs`` and ``T = decay_end_epoch``:

    - ``lambda(e) = lambda * e / W`` for ``e <= W`` (so ``lambda(0) = 0``),
    - ``lambda(e) = lambda * (1 - (e - W) / (T - W))`` for ``e > W``,
      clipped at 0 after ``T``.

    ``lambda`` is each :class:`DrLocHead`'s configured ``base_loss_weight``
    (its loss's ``loss_weight`` as built); the hook sets the loss module's
    ``loss_weight`` before every training epoch, also when training
    resumes. ``warmup_epochs=0, decay_end_epoch=None`` keeps lambda
    constant (the paper's description). The schedule needs an epoch-based
    training loop.

    Args:
        warmup_epochs (int): Linear warm-up length W. Defaults to 20.
        decay_end_epoch (int, optional): Epoch T where lambda reaches 0;
            None disables the decay. Defaults to 300.
    """

    priority = 'NORMAL'

    def __init__(self,
                 warmup_epochs: int = 20,
                 decay_end_epoch: Optional[int] = 300):
        if warmup_epochs < 0:
            raise ValueError('warmup_epochs must be >= 0')
        if decay_end_epoch is not None and decay_end_epoch <= warmup_epochs:
            raise ValueError('decay_end_epoch must be larger than '
                             'warmup_epochs')
        self.warmup_epochs = warmup_epochs
        self.decay_end_epoch = decay_end_epoch

    def factor(self, epoch: int) -> float:
        """Multiplier of the configured lambda at a 0-based epoch."""
        W, T = self.warmup_epochs, self.decay_end_epoch
        if epoch <= W:
            return epoch / W if W > 0 else 1.0
        if T is None:
            return 1.0
        return max(0.0, 1.0 - (epoch - W) / (T - W))

    @staticmethod
    def find_heads(model) -> List[DrLocHead]:
        """All :class:`DrLocHead` modules of a (possibly wrapped) model."""
        if is_model_wrapper(model):
            model = model.module
        return [m for m in model.modules() if isinstance(m, DrLocHead)]

    def before_train(self, runner) -> None:
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            # That loop calls before_train_epoch once: lambda would stay 0.
            raise RuntimeError('DrLocLambdaHook schedules lambda per epoch '
                               'and needs an epoch-based train loop.')
        if not self.find_heads(runner.model):
            runner.logger.warning('DrLocLambdaHook found no DrLocHead in '
                                  'the model; it will do nothing.')

    def before_train_epoch(self, runner) -> None:
        factor = self.factor(runner.epoch)
        heads = self.find_heads(runner.model)
        for head in heads:
            head.loss_module.loss_weight = head.base_loss_weight * factor
        if heads:
            runner.logger.info(f'DrLoc lambda at epoch {runner.epoch}: ' +
                               ', '.join(f'{h.loss_weight:.4f}'
                                         for h in heads))

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        # Logged every iteration so the smoothed training log shows it.
        for i, head in enumerate(self.find_heads(runner.model)):
            key = 'train/drloc_lambda' + (f'_{i}' if i else '')
            runner.message_hub.update_scalar(key, head.loss_weight)
