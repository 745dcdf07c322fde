"""End to end on generated digit scenes, as a user runs it: tools/train.py
with a pretrained backbone and joint SSL heads, then tools/test.py
single-scale (metrics, overlays, label maps) and multi-scale."""
import json
import os.path as osp

import pytest
import torch
from conftest import REPO, run_tool

from mmrelvit.datasets.digits_segmentation import write_segmentation

CFG_DIR = osp.join(REPO, 'configs', 'upernet')
DIGITS = '1xb8-2k_digits-seg-64x64'


def _metrics(proc):
    lines = [x for x in proc.stdout.splitlines() if x.startswith('metrics:')]
    assert len(lines) == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[0][len('metrics:'):])


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """Data, a pretraining checkpoint and a 2-iteration joint training."""
    from mmpretrain.registry import MODELS
    tmp = tmp_path_factory.mktemp('seg_e2e')
    data = write_segmentation(str(tmp / 'seg'), num_train=8, num_val=2)

    # a supervised digits classifier checkpoint, as configs/vit writes it
    clf = MODELS.build(
        dict(
            type='ImageClassifier',
            _scope_='mmpretrain',
            backbone=dict(
                type='VisionTransformer',
                arch=dict(
                    embed_dims=96,
                    num_layers=4,
                    num_heads=3,
                    feedforward_channels=384),
                img_size=32,
                patch_size=4),
            head=dict(
                type='VisionTransformerClsHead',
                num_classes=10,
                in_channels=96)))
    pre = str(tmp / 'pre.pth')
    torch.save(dict(state_dict=clf.state_dict(), meta=dict()), pre)

    def config(base,
               name,
               model=f'''
model = dict(backbone=dict(init_cfg=dict(checkpoint={pre!r})))'''):
        path = tmp / name
        path.write_text(f'''
_base_ = [{osp.join(CFG_DIR, base)!r}]
data_root = {data!r}{model}
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root))
test_dataloader = dict(num_workers=0, persistent_workers=False,
                       dataset=dict(data_root=data_root))
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
''')
        return str(path)

    joint = config(f'upernet_vit-tiny-p4-relvit-joint_{DIGITS}.py', 'joint.py')
    work = tmp / 'work'
    # tools/test.py evaluates below
    proc = run_tool(
        ['tools/train.py', joint, '--work-dir', work, '--no-validate'])
    return dict(
        tmp=tmp,
        ckpt=work / 'iter_2.pth',
        log=proc.stdout + proc.stderr,
        plain=config(f'upernet_vit-tiny-p4_{DIGITS}.py', 'plain.py'),
        # test-only: the checkpoint to test replaces every weight
        ms=config(f'upernet_vit-tiny-p4_{DIGITS}_ms-test.py', 'ms.py', ''))


def test_train_logs_segmentation_and_ssl_losses(run):
    assert run['ckpt'].is_file()
    assert 'load backbone. in model from' in run['log']
    # every backbone tensor was in the checkpoint (pos_embed resized)
    assert 'StrictPretrainedHook: model.backbone has all' in run['log']
    last = [x for x in run['log'].splitlines() if 'Iter(train) [2/2]' in x]
    assert last and all(k in last[0]
                        for k in ('decode.loss_ce', 'aux.loss_ce',
                                  'loss_relation', 'loss_position'))


def test_single_scale_test_writes_metrics_overlays_and_maps(run):
    tmp = run['tmp']
    proc = run_tool([
        'tools/test.py', run['plain'], run['ckpt'], '--work-dir', tmp / 'ss',
        '--show-dir', tmp / 'show', '--out', tmp / 'maps'
    ])
    metrics = _metrics(proc)
    assert set(metrics) == {'aAcc', 'mIoU', 'mAcc'}
    # IoU = TP / (TP + FP + FN) <= TP / (TP + FN) = class accuracy
    assert 0 <= metrics['mIoU'] <= metrics['mAcc'] <= 100
    assert 0 <= metrics['aAcc'] <= 100
    overlays = sorted((tmp / 'show' / 'vis_data' / 'vis_image').glob('*.png'))
    assert [p.name for p in overlays] == [
        'test_digits_00000.jpg_0.png', 'test_digits_00001.jpg_0.png'
    ]
    from PIL import Image
    overlay = Image.open(overlays[0])
    assert overlay.mode == 'RGB' and overlay.size == (256, 128)  # gt | pred
    maps = sorted(p.name for p in (tmp / 'maps').glob('*.png'))
    assert maps == ['digits_00000.png', 'digits_00001.png']


def test_multi_scale_test_on_two_images(run):
    proc = run_tool([
        'tools/test.py', run['ms'], run['ckpt'], '--work-dir',
        run['tmp'] / 'ms'
    ])
    metrics = _metrics(proc)
    assert 0 <= metrics['mIoU'] <= 100
    assert 'Iter(test) [2/2]' in proc.stdout + proc.stderr
