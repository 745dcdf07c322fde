"""The convergence criterion of the small-data studies, on synthetic
curves, and the per-epoch training loss it reads from mmengine's
scalars."""
import json

import numpy as np
import pytest

from mmrelvit.analysis import convergence, read_scalars

EPOCHS = list(range(10, 210, 10))  # 20 evaluations, every 10 epochs


def saturating(epochs, top=80.0, rate=0.05):
    return [top * (1 - np.exp(-rate * e)) for e in epochs]


def test_flat_curve_with_fitted_training_set_converges():
    test = saturating(EPOCHS)
    res = convergence(EPOCHS, test, train_acc=99.2)
    assert res['converged'] and res['fitted'] and res['reason'] == ''
    # the last 20 % of 200 epochs: evaluations at 160..200
    window = test[EPOCHS.index(160):]
    assert res['test_move'] == pytest.approx(max(window) - min(window))
    assert res['test_move'] < 0.5


def test_rising_curve_does_not_converge():
    test = [40 + 0.2 * e for e in EPOCHS]  # +8 points over the last 40
    res = convergence(EPOCHS, test, train_acc=99.5)
    assert not res['converged']
    assert res['test_move'] == pytest.approx(8.0)
    assert 'moved 8.00 points' in res['reason']


def test_noisy_plateau_fails_on_its_spread():
    rng = np.random.RandomState(0)
    test = [75 + rng.uniform(-1, 1) for _ in EPOCHS]
    res = convergence(EPOCHS, test, train_acc=99.0)
    assert not res['converged'] and res['test_move'] >= 0.5
    # the same plateau with less noise passes
    calm = [75 + 0.1 * (v - 75) for v in test]
    assert convergence(EPOCHS, calm, train_acc=99.0)['converged']


def test_underfitted_run_needs_a_flat_training_loss():
    test = saturating(EPOCHS)
    loss_epochs = list(range(1, 201))
    falling = [2.0 * np.exp(-e / 60) for e in loss_epochs]
    res = convergence(
        EPOCHS,
        test,
        train_acc=85.0,
        loss_epochs=loss_epochs,
        train_loss=falling)
    # mean of epochs 160-200 vs 120-159: still 40 % lower
    assert not res['converged'] and res['loss_drop'] > 0.3
    assert 'training accuracy 85.00 %' in res['reason']
    flat = [0.5 + 1e-4 * np.sin(e) for e in loss_epochs]
    res = convergence(
        EPOCHS, test, train_acc=85.0, loss_epochs=loss_epochs, train_loss=flat)
    assert res['converged'] and not res['fitted']
    assert abs(res['loss_drop']) < 0.01
    # no training accuracy and no loss curve: cannot tell, so not converged
    blind = convergence(EPOCHS, test)
    assert not blind['converged']
    assert blind['reason'].startswith('no training accuracy and no loss')


def test_too_few_evaluations_in_the_tail():
    res = convergence([50, 100], [70.0, 70.1], train_acc=99.0)
    assert not res['converged'] and res['test_move'] is None
    with pytest.raises(ValueError, match='2 test epochs but 1'):
        convergence([1, 2], [3.0])


def test_read_scalars_gives_the_loss_of_every_epoch(tmp_path):
    path = tmp_path / 'scalars.json'
    lines = []
    for epoch in (1, 2, 3):
        for it in range(2):
            lines.append(
                dict(
                    loss=float(epoch + it),
                    acc_relation=0.5,
                    epoch=epoch,
                    iter=2 * epoch + it,
                    step=2 * epoch + it))
        lines.append({'accuracy/top1': 10.0 * epoch, 'step': epoch})
    path.write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    res = read_scalars(str(path))
    assert res['epochs'] == [1, 2, 3]
    assert res['val']['accuracy/top1'] == [10.0, 20.0, 30.0]
    assert res['train_loss'] == ([1, 2, 3], [1.5, 2.5, 3.5])
    assert res['train']['loss'] == 3.5


def test_difference_to_supervised_is_paired_by_seed():
    from mmrelvit.analysis.report import mean_std
    from mmrelvit.analysis.tables import _signed, classification_table

    def row(arm, per_seed, seeds=(0, 1, 2)):
        return dict(
            arm=arm,
            title=arm,
            seeds=list(seeds),
            total_epochs='100',
            final=mean_std(per_seed),
            per_seed=list(per_seed),
            train=None,
            converged=len(seeds),
            ssl={},
            ssl_from='',
            wall_s=(60., 0.))

    base = row('supervised', [98.0, 97.0, 99.0])
    # ahead by 1 on every seed although the arms' own spreads overlap
    ahead = row('drloc', [99.0, 98.0, 100.0])
    mixed = row('relvit-joint', [99.0, 96.0, 99.0])
    # fewer seeds: paired over those both rows have, which are named
    one = row('relvit-joint-nopos', [99.5], seeds=(0, ))
    two = row('relvit-finetune', [99.5, 96.0], seeds=(2, 1))
    # no seed in common: only the means can be compared
    other = row('supervised-nopos', [90.0], seeds=(5, ))
    lines = classification_table([base, ahead, mixed, one, two,
                                  other]).splitlines()
    assert '| drloc | 100 | 99.00 +- 1.00 | +1.00 +- 0.00 |' in lines[3]
    assert '| relvit-joint | 100 | 98.00 +- 1.73 | +0.00 +- 1.00 |' in lines[4]
    assert '| 99.50 | +1.50 (seed 0) |' in lines[5]
    # seed 2: 99.5 - 99.0, seed 1: 96.0 - 97.0
    assert '| -0.25 +- 1.06 (seeds 2/1) |' in lines[6]
    assert '| 90.00 | -8.00 (unpaired) |' in lines[7]
    assert lines[2].startswith('| supervised | 100 | 98.00 +- 1.00 |  |')

    # a mean difference of -1e-15 (float rounding) is no loss
    assert [_signed(v) for v in (-1e-15, -0.004, 0.65, -0.19)
            ] == ['+0.00', '+0.00', '+0.65', '-0.19']
