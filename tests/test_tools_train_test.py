"""tools/train.py and tools/test.py on the generated digits, as a user runs
them."""
import json
import os.path as osp
import pickle

from conftest import run_tool, tiny_digits_config


def test_train_then_test_prints_accuracy(tmp_path, digits_root):
    cfg = tiny_digits_config(
        tmp_path, digits_root, max_iters=6, ckpt_interval=6)
    work = tmp_path / 'work'
    run_tool(['tools/train.py', cfg, '--work-dir', work])
    ckpt = work / 'iter_6.pth'
    assert ckpt.is_file()

    out = tmp_path / 'preds.pkl'
    proc = run_tool([
        'tools/test.py', cfg, ckpt, '--work-dir', tmp_path / 'test', '--out',
        out
    ])
    line = [x for x in proc.stdout.splitlines() if x.startswith('metrics:')]
    assert len(line) == 1, proc.stdout[-2000:]
    metrics = json.loads(line[0][len('metrics:'):])
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    # one prediction per validation image of the deterministic split
    with open(osp.join(digits_root, 'meta', 'val.txt')) as f:
        assert len(preds) == len(f.readlines())


def test_cfg_options_and_no_validate(tmp_path, digits_root):
    cfg = tiny_digits_config(
        tmp_path, digits_root, max_iters=2, ckpt_interval=2)
    work = tmp_path / 'work'
    run_tool([
        'tools/train.py', cfg, '--work-dir', work, '--no-validate',
        '--cfg-options', 'train_cfg.max_iters=3',
        'default_hooks.checkpoint.interval=3'
    ])
    assert (work / 'iter_3.pth').is_file()
    assert not (work / 'iter_2.pth').exists()
