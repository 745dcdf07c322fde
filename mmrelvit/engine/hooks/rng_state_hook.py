import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import IterBasedTrainLoop


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the torch RNG state in checkpoints and restore it on resume.

    mmengine 0.10.7 re-seeds at start-up and restores the data order on
    resume (the sampler is seeded per epoch, and an iteration-based loop
    replays the skipped batches, so the pipeline's numpy/python randomness
    repeats too), but the model-side torch RNG (stochastic depth, dropout,
    DrLoc pair sampling, ...) restarts from the seed. With this hook a
    resumed run continues the exact random stream of an uninterrupted one.

    The state is restored just before the first training step, after the
    loop has rebuilt or advanced its data iterator exactly as the
    uninterrupted run did at the moment of saving. It is ignored by
    ``load_from`` (a new run starting from the weights).
    """

    priority = 'VERY_LOW'

    def __init__(self):
        self._pending = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(torch=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        meta = checkpoint.get('meta', {})
        if state is not None and meta.get('iter', 0) > 0:
            self._pending = (meta['iter'], state)

    def _restore(self, runner) -> None:
        if self._pending is None:
            return
        saved_iter, state = self._pending
        self._pending = None
        if runner.iter != saved_iter:  # loaded by load_from, not resumed
            return
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])

    def before_train_epoch(self, runner) -> None:
        # An epoch-based loop creates its data iterator after this point,
        # drawing from the torch RNG as the uninterrupted run did.
        if not isinstance(runner.train_loop, IterBasedTrainLoop):
            self._restore(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        self._restore(runner)
