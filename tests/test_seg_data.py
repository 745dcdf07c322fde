"""Digits segmentation data: the ADE20K-layout writer, the data set that
reads it, and the input checks that run before training."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from conftest import REPO, run_tool
from PIL import Image

from mmrelvit.datasets import digits
from mmrelvit.datasets.digits_segmentation import (DIGITS_SEG_CLASSES,
                                                   scene_label_map,
                                                   write_segmentation)

SPLITS = dict(train='training', val='validation')


@pytest.fixture(scope='module')
def seg_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('digits') / 'seg'
    return write_segmentation(str(root), num_train=6, num_val=3)


def _pairs(root, split):
    img_dir = osp.join(root, 'images', SPLITS[split])
    names = sorted(osp.splitext(f)[0] for f in os.listdir(img_dir))
    return [(osp.join(img_dir, f'{n}.jpg'),
             osp.join(root, 'annotations', SPLITS[split], f'{n}.png'))
            for n in names]


def test_layout_and_label_convention(seg_root):
    images, labels = digits.load_digits()
    pools = digits.split_indices(labels)
    for stream, split in enumerate(('train', 'val')):
        pairs = _pairs(seg_root, split)
        assert len(pairs) == dict(train=6, val=3)[split]
        # the writer's own random stream, replayed: every label map is the
        # scene's instance masks with digit c -> c + 2 on background 1
        rng = np.random.RandomState([0, stream])
        for img_path, seg_path in pairs:
            _, instances = digits.compose_scene(
                rng, images, labels, pools[split], size=128)
            label = np.asarray(Image.open(seg_path))
            assert label.dtype == np.uint8 and label.shape == (128, 128)
            assert Image.open(img_path).size == (128, 128)
            np.testing.assert_array_equal(label,
                                          scene_label_map(instances, 128))
            assert set(np.unique(label)) <= set(range(1, 12))
            assert (label >= 2).any()  # at least one digit per scene
            # scenes draw only from their split's digits
            assert all(i['index'] in set(pools[split]) for i in instances)
    assert len(DIGITS_SEG_CLASSES) == 11


def test_rerun_is_noop_and_other_params_refused(seg_root):
    stamp = osp.join(seg_root, 'generated.json')
    mtime = os.stat(stamp).st_mtime_ns
    write_segmentation(seg_root, num_train=6, num_val=3)
    assert os.stat(stamp).st_mtime_ns == mtime
    with pytest.raises(FileExistsError, match='overwrite'):
        write_segmentation(seg_root, num_train=7, num_val=3)


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    from mmrelvit.datasets import digits_segmentation

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(digits_segmentation, 'scene_label_map', boom)
    with pytest.raises(KeyboardInterrupt):
        write_segmentation(str(tmp_path / 'seg'), num_train=2, num_val=1)
    assert os.listdir(tmp_path) == []


def test_make_digits_cli(tmp_path):
    proc = run_tool([
        'tools/dataset_converters/make_digits.py', '--out', tmp_path,
        '--tasks', 'seg', '--seg-scenes', '3', '2'
    ])
    root = tmp_path / 'seg'
    assert str(root) in proc.stdout
    with open(root / 'generated.json') as f:
        assert json.load(f)['num_train'] == 3
    assert len(os.listdir(root / 'annotations' / 'validation')) == 2


def _dataset(root, **kwargs):
    """The validation split through DigitsSegDataset."""
    from mmengine.registry import DefaultScope

    from mmrelvit.seg import DigitsSegDataset

    # the pipeline's LoadAnnotations is mmseg's (scoped only for this build,
    # so later tests keep their own default scope)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DigitsSegDataset(
            data_root=root,
            data_prefix=dict(
                img_path='images/validation',
                seg_map_path='annotations/validation'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', reduce_zero_label=True),
                dict(type='PackSegInputs')
            ],
            **kwargs)


def test_dataset_reads_scenes_with_zero_label_reduction(seg_root):
    ds = _dataset(seg_root)
    assert len(ds) == 3
    assert ds.metainfo['classes'] == DIGITS_SEG_CLASSES
    sample = ds[0]
    gt = sample['data_samples'].gt_sem_seg.data[0].numpy()
    raw = np.asarray(Image.open(ds.get_data_info(0)['seg_map_path']))
    # background (raw 1) is class 0, digit c (raw c + 2) is class c + 1
    np.testing.assert_array_equal(gt, raw.astype(np.int64) - 1)
    assert tuple(sample['inputs'].shape) == (3, 128, 128)


@pytest.fixture
def broken_root(seg_root, tmp_path):
    root = tmp_path / 'seg'
    shutil.copytree(seg_root, root)
    return root


def _ann(root, i):
    return root / 'annotations' / 'validation' / f'digits_{i:05d}.png'


def test_valid_ignore_values_pass(broken_root):
    label = np.asarray(Image.open(_ann(broken_root, 0))).copy()
    label[:4] = 0  # ignore (ADE20K's "other")
    label[-4:] = 255  # ignore
    Image.fromarray(label).save(_ann(broken_root, 0))
    assert len(_dataset(broken_root)) == 3


@pytest.mark.parametrize('fault, match', [
    ('size', r'label map is 100x128 \(h x w\) but its image .* is 128x128'),
    ('value', r'label values \[12, 40\]'),
    ('missing', 'missing annotation file'),
    ('channels', 'must have one channel'),
])
def test_bad_inputs_name_the_file(broken_root, fault, match):
    path = _ann(broken_root, 1)
    label = np.asarray(Image.open(path))
    if fault == 'size':
        Image.fromarray(label[:100]).save(path)
    elif fault == 'value':
        label = label.copy()
        label[0, :2] = (12, 40)  # 11 classes: raw values stop at 11
        Image.fromarray(label).save(path)
    elif fault == 'missing':
        os.remove(path)
    else:
        Image.fromarray(np.stack([label] * 3, -1)).save(path)
    with pytest.raises(ValueError, match=match) as info:
        _dataset(broken_root)
    message = str(info.value)
    assert str(path) in message and '1 invalid input' in message
    # the check can be switched off (e.g. for trusted data on slow storage)
    if fault != 'missing':
        assert len(_dataset(broken_root, check_inputs=False)) == 3


def test_train_stops_before_first_iteration(broken_root, tmp_path):
    os.remove(_ann(broken_root, 2))
    cfg = tmp_path / 'cfg.py'
    base = osp.join(REPO, 'configs', 'upernet',
                    'upernet_vit-tiny-p4_1xb8-2k_digits-seg-64x64.py')
    cfg.write_text(f'''
_base_ = ['{base}']
model = dict(backbone=dict(init_cfg=None))
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root='{broken_root}',
                 data_prefix=dict(img_path='images/validation',
                                  seg_map_path='annotations/validation')))
''')
    proc = run_tool(['tools/train.py', cfg, '--work-dir', tmp_path / 'w'],
                    check=False)
    assert proc.returncode != 0
    assert str(_ann(broken_root, 2)) in proc.stderr
    assert 'Iter(train)' not in proc.stdout + proc.stderr
