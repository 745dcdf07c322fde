"""The small-data study driver end to end: 1 seed, 1 epoch, 100 images of
a synthetic Fashion-MNIST written by the test."""
import json
import os.path as osp

import numpy as np
from conftest import REPO, run_tool
from mmengine.config import Config

from mmrelvit.datasets.fashion_mnist import write_idx

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'small_data_study.py')
ARMS = ('supervised', 'drloc', 'relvit-joint', 'relvit-finetune')


def fake_fashion_mnist(root):
    rng = np.random.RandomState(0)
    for prefix, n in (('train', 200), ('t10k', 100)):
        labels = np.arange(n) % 10
        # class-dependent blobs, so that accuracy is well defined
        images = rng.randint(0, 60, (n, 28, 28))
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 8, 4:24] = 220
        write_idx(str(root / f'{prefix}-images-idx3-ubyte.gz'), images)
        write_idx(str(root / f'{prefix}-labels-idx1-ubyte.gz'), labels)


def test_study_one_seed_one_epoch(tmp_path):
    data = tmp_path / 'fmnist'
    data.mkdir()
    fake_fashion_mnist(data)
    work, out = tmp_path / 'work', tmp_path / 'docs'
    doc = out / 'small_data.md'
    out.mkdir()
    doc.write_text('# Study\n\nintro kept\n')
    args = [
        TOOL, '--seeds', '0', '--epochs', '1', '--num-train', '100',
        '--num-test', '100', '--data-root', data, '--work-dir', work,
        '--out-dir', out, '--doc', doc, '--jobs', '2'
    ]
    proc = run_tool(args, timeout=600)
    assert '5 runs (1 upstream)' in proc.stdout

    # every arm trained once through tools/train.py and logged its curve
    results = json.loads((work / 'results.json').read_text())['runs']
    assert sorted(results) == sorted([f'{a}/seed0' for a in ARMS] +
                                     ['relvit-upstream/seed0'])
    for arm in ARMS:
        res = results[f'{arm}/seed0']
        assert res['epochs'] == [1] and 0 <= res['top1'][0] <= 100
    assert 'acc_relation' in results['relvit-joint/seed0']['train']
    assert 'acc_position' in results['relvit-upstream/seed0']['train']
    assert 'loss_drloc' in results['drloc/seed0']['train']
    assert results['relvit-upstream/seed0']['top1'] == []

    # the arms differ only in the model: same data, schedule, seed
    cfgs = {
        arm: Config.fromfile(str(work / arm / 'seed0' / 'config.py'))
        for arm in ARMS
    }
    for arm, cfg in cfgs.items():
        for key in ('train_dataloader', 'val_dataloader', 'train_cfg',
                    'param_scheduler', 'optim_wrapper', 'randomness'):
            assert cfg[key] == cfgs['supervised'][key], (arm, key)
    assert cfgs['supervised'].train_dataloader.dataset.num_samples == 100
    # the finetune arm starts from its seed's upstream checkpoint
    init = cfgs['relvit-finetune'].model.backbone.init_cfg
    assert init.checkpoint == str(work / 'relvit-upstream' / 'seed0' /
                                  'epoch_1.pth')
    assert osp.isfile(init.checkpoint)
    log = (work / 'relvit-finetune' / 'seed0' / 'train.log').read_text()
    assert 'epoch_1.pth' in log

    # outputs: table, plot, generated doc section
    table = (out / 'small_data_table.md').read_text()
    assert table.count('\n') == 2 + len(ARMS)
    # the finetuned arm reports its upstream's SSL accuracies
    assert 'upstream position' in table.splitlines()[-1]
    png = (out / 'small_data_curves.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000
    text = doc.read_text()
    assert text.startswith('# Study\n\nintro kept\n')
    assert '--num-train 100' in text and table.strip() in text
    assert '](small_data_curves.png)' in text

    # a second call reuses the finished runs and rewrites the section once
    proc = run_tool(args, timeout=300)
    assert proc.stdout.count('(reused)') == 5
    assert doc.read_text().count('small_data_study:begin') == 1
