"""The embedded digits generator: real data, deterministic split, layout
mmpretrain's CustomDataset reads, nothing half-written."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmrelvit.datasets import digits


def test_split_is_stratified_and_deterministic():
    images, labels = digits.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert images.max() == 255 and set(labels.tolist()) == set(range(10))
    a = digits.split_indices(labels)
    b = digits.split_indices(labels)
    np.testing.assert_array_equal(a['val'], b['val'])
    assert not set(a['train']) & set(a['val'])
    assert len(a['train']) + len(a['val']) == 1797
    for c in range(10):
        n_c = (labels == c).sum()
        assert (labels[a['val']] == c).sum() == round(n_c * 0.2)
    other = digits.split_indices(labels, seed=1)
    assert not np.array_equal(a['val'], other['val'])


def test_classification_tree_reads_in_custom_dataset(digits_root):
    from mmengine.registry import DefaultScope
    from mmpretrain.datasets import CustomDataset

    # other tests may leave another library's scope as the default
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ds = CustomDataset(
            data_root=digits_root,
            ann_file='meta/val.txt',
            metainfo=dict(classes=digits.DIGIT_CLASSES),
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='PackInputs')])
    _, labels = digits.load_digits()
    assert len(ds) == len(digits.split_indices(labels)['val'])
    sample = ds[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    # the label in the file list matches the class folder of the image
    info = ds.get_data_info(0)
    assert osp.basename(osp.dirname(info['img_path'])) == str(info['gt_label'])
    # same pixels as the upscaled original
    idx = int(osp.splitext(osp.basename(info['img_path']))[0])
    images, _ = digits.load_digits()
    np.testing.assert_array_equal(
        np.asarray(Image.open(info['img_path'])),
        digits.upscale(images[idx], 32))


def test_rerun_is_noop_and_other_params_refused(digits_root):
    stamp = osp.join(digits_root, 'generated.json')
    mtime = os.stat(stamp).st_mtime_ns
    digits.write_classification(digits_root)
    assert os.stat(stamp).st_mtime_ns == mtime
    with pytest.raises(FileExistsError, match='overwrite'):
        digits.write_classification(digits_root, size=16)


def test_failure_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def failing_save(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) > 5:
            raise OSError('disk full')

    monkeypatch.setattr(Image.Image, 'save', failing_save)
    out = tmp_path / 'cls'
    with pytest.raises(OSError, match='disk full'):
        digits.write_classification(str(out))
    assert not out.exists()
    assert os.listdir(tmp_path) == []
