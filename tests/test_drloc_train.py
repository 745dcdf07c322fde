"""Every backbone trains with DrLoc through tools/train.py on the generated
digits, and DrLoc composes with the RelViT heads, each loss logged."""
import glob
import json
import math
import os.path as osp

import pytest
from conftest import REPO, run_tool

CFG_DIR = osp.join(REPO, 'configs', 'drloc')
# Swin trains in the lambda-hook test below.
DRLOC_DIGITS = [
    'drloc_vit-tiny-p4_1xb64-30e_digits',
    'drloc_t2t-vit-mini_1xb64-30e_digits',
    'drloc_cvt-mini_1xb64-30e_digits',
    'drloc_resnet18-mini_1xb64-30e_digits',
]


def train_briefly(tmp_path, digits_root, name, *, epochs=1, extra=''):
    """Train the real digits config ``name`` for ``epochs`` epochs of two
    8-image iterations (validation on 16 images); return the logged train
    scalars, one dict per iteration, and the validation ones."""
    cfg = tmp_path / f'{name}_brief.py'
    cfg.write_text(f'''
_base_ = [{osp.join(CFG_DIR, name + '.py')!r}]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={digits_root!r}, indices=16))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={digits_root!r}, indices=16))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
default_hooks = dict(logger=dict(interval=1))
{extra}
''')
    work = tmp_path / 'work'
    run_tool(['tools/train.py', cfg, '--work-dir', work])
    (scalars, ) = glob.glob(str(work / '*' / 'vis_data' / 'scalars.json'))
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    train = [r for r in records if 'loss' in r]
    val = [r for r in records if 'accuracy/top1' in r]
    assert len(train) == 2 * epochs and len(val) == 1
    return train, val


def assert_total_is_sum(record, keys):
    for key in keys:
        assert math.isfinite(record[key]), (key, record)
    assert record['loss'] == pytest.approx(
        sum(record[k] for k in keys), abs=1e-4), record


@pytest.mark.parametrize('name', DRLOC_DIGITS)
def test_backbone_trains_with_drloc(tmp_path, digits_root, name):
    train, val = train_briefly(tmp_path, digits_root, name)
    for record in train:
        assert record['loss_drloc'] > 0
        # the optimised total includes the DrLoc term
        assert_total_is_sum(record, ['loss_cls', 'loss_drloc'])
    assert 0 <= val[0]['accuracy/top1'] <= 100


def test_swin_trains_with_the_lambda_hook_delta(tmp_path, digits_root):
    # the hook delta of drloc-official_swin-tiny-p4-w7_8xb128-101e_cifar10.py
    # with a 2-epoch ramp: lambda(0) = 0, lambda(1) = 0.5 * 1 / 2
    train, _ = train_briefly(
        tmp_path,
        digits_root,
        'drloc_swin-mini-p2-w4_1xb64-30e_digits',
        epochs=2,
        extra='custom_hooks = _base_.custom_hooks + [dict(\n'
        "    type='DrLocLambdaHook', warmup_epochs=2, decay_end_epoch=4)]")
    assert [r['drloc_lambda'] for r in train] == [0, 0, 0.25, 0.25]
    assert [r['loss_drloc'] == 0 for r in train] == [True, True, False, False]
    for record in train:
        assert_total_is_sum(record, ['loss_cls', 'loss_drloc'])


def test_relvit_and_drloc_heads_log_each_loss(tmp_path, digits_root):
    train, _ = train_briefly(tmp_path, digits_root,
                             'drloc-relvit_vit-tiny-p4_1xb64-30e_digits')
    losses = ['loss_cls', 'loss_relation', 'loss_position', 'loss_drloc']
    for record in train:
        assert_total_is_sum(record, losses)
        assert all(record[k] > 0 for k in losses)
        assert 0 <= record['acc_position'] <= 100
