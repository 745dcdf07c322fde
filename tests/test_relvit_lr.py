"""RelViTLR: the reference DecayLR (linear warm-up + quarter cosine)."""
import math

import pytest
import torch
from mmpretrain.registry import PARAM_SCHEDULERS

from mmrelvit.engine.schedulers import RelViTLR

LR0, ETA_MIN = 5e-4, 1.25e-6


def optimizer():
    return torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=LR0)


def decay_lr(s, total):
    """The reference's DecayLR callback (configs/relvit/README.md)."""
    warmup = total // 10
    if s < warmup:
        return LR0 * s / warmup
    return ETA_MIN + (LR0 - ETA_MIN) * math.cos(math.pi / 2 * s / total)


def run(scheduler, opt, steps):
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        scheduler.step()
    return lrs


def test_key_points_and_every_step():
    opt = optimizer()
    total = 200
    sched = RelViTLR(opt, begin=0, end=total, by_epoch=False)
    assert sched.warmup_steps == 20
    lrs = run(sched, opt, total)
    assert lrs[0] == 0  # warm-up starts from zero
    assert lrs[10] == pytest.approx(LR0 / 2)
    # at W the quarter cosine has already progressed by W / S
    assert lrs[20] == pytest.approx(ETA_MIN +
                                    (LR0 - ETA_MIN) * math.cos(math.pi / 20))
    assert sched.lr_at(LR0, total) == pytest.approx(ETA_MIN)
    for s, lr in enumerate(lrs):
        assert lr == pytest.approx(decay_lr(s, total), rel=1e-12, abs=1e-15)


def test_cifar_numbers_and_epoch_conversion():
    # 100 epochs x 196 iterations: S = 19600, W = 1960
    opt = optimizer()
    sched = PARAM_SCHEDULERS.build(
        dict(
            type='RelViTLR',
            by_epoch=True,
            begin=0,
            end=100,
            convert_to_iter_based=True),
        default_args=dict(optimizer=opt, epoch_length=196))
    assert isinstance(sched, RelViTLR) and not sched.by_epoch
    assert (sched.total_steps, sched.warmup_steps) == (19600, 1960)
    assert sched.lr_at(LR0, 1960) == pytest.approx(decay_lr(1960, 19600))


def test_resume_from_state_dict():
    opt = optimizer()
    sched = RelViTLR(opt, end=50, by_epoch=False)
    run(sched, opt, 17)
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    expected = run(sched, opt, 5)

    # what Runner.resume does: fresh objects, then both state dicts
    opt2 = optimizer()
    sched2 = RelViTLR(opt2, end=50, by_epoch=False)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    assert run(sched2, opt2, 5) == pytest.approx(expected)


def test_needs_finite_end():
    with pytest.raises(ValueError, match='finite'):
        RelViTLR(optimizer())
