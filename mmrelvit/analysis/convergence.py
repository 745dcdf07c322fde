"""When has a small-data run converged?

A comparison of training recipes only answers a user's question once the
supervised baseline has stopped improving: a run counts as converged when

- it fits its training set: training accuracy (the final model on the
  training images, test-time pipeline) of at least ``min_train_acc``, or,
  failing that, a training loss that has flattened (the mean loss of the
  last ``tail`` of the epochs within ``loss_tol`` (relative) of the mean of
  the ``tail`` before it), and
- its test accuracy has settled: the evaluations in the last ``tail`` of
  the epochs (the one at the window's start included) span less than
  ``max_move`` points.
"""
from typing import Optional, Sequence

import numpy as np


def _window(epochs, values, start, stop=None):
    return [
        v for e, v in zip(epochs, values)
        if e >= start and (stop is None or e < stop)
    ]


def convergence(test_epochs: Sequence[int],
                test_top1: Sequence[float],
                train_acc: Optional[float] = None,
                loss_epochs: Sequence[int] = (),
                train_loss: Sequence[float] = (),
                tail: float = 0.2,
                max_move: float = 0.5,
                min_train_acc: float = 98.0,
                loss_tol: float = 0.05,
                metric: str = 'test top-1') -> dict:
    """Check a run against the convergence criterion of the module.

    Args:
        test_epochs (Sequence[int]): Epoch of each test evaluation.
        test_top1 (Sequence[float]): Test top-1 (%) at those epochs.
        train_acc (float, optional): Top-1 (%) of the final model on the
            training images. None when it was not measured.
        loss_epochs (Sequence[int]): Epochs of ``train_loss``.
        train_loss (Sequence[float]): Mean training loss of each epoch.
        tail (float): Fraction of the epochs that the test curve and the
            training loss must be flat over.
        max_move (float): Largest allowed spread (points) of the test
            top-1 over the tail.
        min_train_acc (float): Training accuracy (%) that counts as fitted.
        loss_tol (float): Largest relative drop of the mean training loss
            from the tail before the last to the last that counts as flat.
        metric (str): Name of the test curve in the reasons (e.g. ``'box
            mAP'`` for a detector's COCO mAP x100).

    Returns:
        dict: ``converged`` (bool), ``test_move`` (points, None if fewer
        than two evaluations fall in the tail), ``fitted`` (bool),
        ``loss_drop`` (relative, None without a loss curve) and ``reason``
        (why not, empty when converged).
    """
    if len(test_epochs) != len(test_top1):
        raise ValueError(f'{len(test_epochs)} test epochs but '
                         f'{len(test_top1)} test values')
    if not 0 < tail < 0.5:
        raise ValueError(f'tail must be in (0, 0.5), got {tail}')
    reasons = []
    last = max(test_epochs) if len(test_epochs) else 0
    window = _window(test_epochs, test_top1, last - tail * last)
    move = float(np.ptp(window)) if len(window) >= 2 else None
    if move is None:
        reasons.append(f'fewer than 2 test evaluations in the last '
                       f'{tail:.0%} of the epochs')
    elif move >= max_move:
        reasons.append(f'{metric} moved {move:.2f} points over the last '
                       f'{tail:.0%} of the epochs (limit {max_move})')

    drop = None
    if len(loss_epochs):
        end = max(loss_epochs)
        span = tail * end
        now = _window(loss_epochs, train_loss, end - span)
        before = _window(loss_epochs, train_loss, end - 2 * span, end - span)
        if now and before and np.mean(before) > 0:
            drop = float(1 - np.mean(now) / np.mean(before))
    fitted = train_acc is not None and train_acc >= min_train_acc
    if not fitted and (drop is None or drop > loss_tol):
        acc = ('no training accuracy' if train_acc is None else
               f'training accuracy {train_acc:.2f} % < {min_train_acc} %')
        loss = ('no loss curve'
                if drop is None else f'training loss still fell {drop:.1%}')
        reasons.append(f'{acc} and {loss} over the last {tail:.0%} of the '
                       'epochs')
    return dict(
        converged=not reasons,
        test_move=move,
        fitted=fitted,
        loss_drop=drop,
        reason='; '.join(reasons))
