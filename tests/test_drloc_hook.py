"""DrLocLambdaHook: the authors' warm-up / linear-decay lambda schedule."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub, MMLogger
from mmengine.model import BaseModel
from mmengine.runner import Runner

import mmrelvit.engine  # noqa: F401
import mmrelvit.models  # noqa: F401
from mmrelvit.engine.hooks.drloc_lambda_hook import DrLocLambdaHook
from mmrelvit.models.heads.drloc_head import DrLocHead


class TinyDrLocModel(BaseModel):

    def __init__(self, loss_weight=0.5):
        super().__init__()
        self.backbone = nn.Conv2d(3, 4, 2, stride=2)
        self.aux = nn.ModuleDict(
            dict(
                drloc=DrLocHead(
                    in_channels=4, hidden_channels=8,
                    loss_weight=loss_weight)))
        self.seen = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.seen.append(self.aux['drloc'].loss_weight)
        return self.aux['drloc'].loss(self.backbone(inputs))


def fake_runner(model, epoch):
    return SimpleNamespace(
        model=model,
        epoch=epoch,
        logger=MMLogger.get_current_instance(),
        message_hub=MessageHub.get_current_instance())


@pytest.mark.parametrize(
    'epoch,expected',
    [
        (0, 0.0),
        (10, 0.25),
        (20, 0.5),
        (21, 0.5 * (1 - 1 / 280)),  # 0.4982 in the authors' 2025 log
        (100, 0.5 * (1 - 80 / 280)),  # where the 101-epoch runs stop
        (300, 0.0),
        (350, 0.0),
    ])
def test_lambda_values(epoch, expected):
    model = TinyDrLocModel(loss_weight=0.5)
    hook = DrLocLambdaHook(warmup_epochs=20, decay_end_epoch=300)
    hook.before_train_epoch(fake_runner(model, epoch))
    head = model.aux['drloc']
    assert head.loss_weight == pytest.approx(expected)
    assert head.base_loss_weight == 0.5  # the schedule never drifts


def test_constant_schedule_multiple_heads_and_logging():
    model = TinyDrLocModel(loss_weight=0.1)
    model.second = DrLocHead(
        in_channels=(4, 4), in_index=(0, 1), loss_weight=0.2)
    hook = DrLocLambdaHook(warmup_epochs=0, decay_end_epoch=None)
    assert [hook.factor(e) for e in (0, 5, 1000)] == [1.0, 1.0, 1.0]
    runner = fake_runner(model, 7)
    hook.before_train_epoch(runner)
    assert model.aux['drloc'].loss_weight == pytest.approx(0.1)
    assert model.second.loss_weight == pytest.approx(0.2)
    hook.before_train_iter(runner, 0)
    scalars = runner.message_hub.log_scalars
    assert scalars['train/drloc_lambda'].current() == pytest.approx(0.1)
    assert scalars['train/drloc_lambda_1'].current() == pytest.approx(0.2)
    with pytest.raises(ValueError):
        DrLocLambdaHook(warmup_epochs=20, decay_end_epoch=20)


def test_runner_resolves_hook_and_applies_it_per_epoch(tmp_path):
    torch.manual_seed(0)
    model = TinyDrLocModel(loss_weight=0.5)
    data = [dict(inputs=torch.randn(3, 8, 8)) for _ in range(4)]
    runner = Runner(
        model=model,
        work_dir=str(tmp_path),
        train_dataloader=torch.utils.data.DataLoader(data, batch_size=2),
        train_cfg=dict(by_epoch=True, max_epochs=3),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=None, logger=None),
        custom_hooks=[
            dict(type='DrLocLambdaHook', warmup_epochs=1, decay_end_epoch=3)
        ],
        default_scope='mmpretrain')
    runner.train()
    # Two iterations per epoch: lambda 0, then 0.5 * 1, then 0.5 * 1/2.
    assert model.seen == pytest.approx([0, 0, 0.5, 0.5, 0.25, 0.25])
