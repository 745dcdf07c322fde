"""FashionMNISTIDX on IDX files written by the test (CI has no Debian
package)."""
import gzip

import numpy as np
import pytest

from mmrelvit.datasets.fashion_mnist import (FashionMNISTIDX, read_idx,
                                             stratified_subset, write_idx)


def write_split(root, prefix, images, labels, gz):
    suffix = '.gz' if gz else ''
    write_idx(str(root / f'{prefix}-images-idx3-ubyte{suffix}'), images)
    write_idx(str(root / f'{prefix}-labels-idx1-ubyte{suffix}'), labels)


@pytest.fixture
def idx_root(tmp_path):
    rng = np.random.RandomState(0)
    # 35 training images: classes 0-4 have 3 + c, classes 5-9 two each
    train_labels = np.concatenate([np.full(3 + c, c) for c in range(5)] +
                                  [np.full(2, c) for c in range(5, 10)])
    train_labels = rng.permutation(train_labels).astype(np.uint8)
    train_images = rng.randint(0, 256, (len(train_labels), 28, 28))
    test_labels = np.arange(10, dtype=np.uint8)
    test_images = rng.randint(0, 256, (10, 28, 28))
    write_split(tmp_path, 'train', train_images, train_labels, gz=True)
    write_split(tmp_path, 't10k', test_images, test_labels, gz=False)
    return tmp_path, dict(
        train=(train_images, train_labels), test=(test_images, test_labels))


def test_read_idx_roundtrip_and_header_checks(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ('a.idx', 'a.idx.gz'):
        write_idx(str(tmp_path / name), array)
        out = read_idx(str(tmp_path / name))
        assert out.shape == (2, 3, 4) and out.dtype == np.uint8
        np.testing.assert_array_equal(out, array)
    # a big-endian int32 IDX file (type 0x0C) comes back in native order
    with open(tmp_path / 'i.idx', 'wb') as f:
        f.write(
            bytes([0, 0, 0x0C, 1]) + np.asarray([3], '>u4').tobytes() +
            np.asarray([1, -2, 70000], '>i4').tobytes())
    np.testing.assert_array_equal(
        read_idx(str(tmp_path / 'i.idx')), [1, -2, 70000])
    with gzip.open(tmp_path / 'bad.gz', 'wb') as f:
        f.write(b'PK\x03\x04junk')
    with pytest.raises(ValueError, match='magic'):
        read_idx(str(tmp_path / 'bad.gz'))
    with open(tmp_path / 'short.idx', 'wb') as f:
        f.write(
            bytes([0, 0, 8, 1]) + np.asarray([10], '>u4').tobytes() +
            b'\x00' * 3)
    with pytest.raises(ValueError, match='truncated'):
        read_idx(str(tmp_path / 'short.idx'))


def test_full_splits_gzip_and_raw(idx_root):
    root, truth = idx_root
    for split, test_mode in (('train', False), ('test', True)):
        ds = FashionMNISTIDX(data_root=str(root), split=split)
        images, labels = truth[split]
        assert len(ds) == len(labels) and ds.test_mode == test_mode
        for i in (0, len(ds) - 1):
            info = ds.get_data_info(i)
            np.testing.assert_array_equal(info['img'], images[i])
            assert info['gt_label'] == labels[i]
    assert ds.CLASSES[0] == 'T-shirt/top' and len(ds.CLASSES) == 10


def test_subset_is_balanced_seeded_and_consistent(idx_root):
    root, truth = idx_root
    images, labels = truth['train']

    def subset(seed, num=20):
        ds = FashionMNISTIDX(
            data_root=str(root), num_samples=num, subset_seed=seed)
        return [ds.get_data_info(i) for i in range(len(ds))]

    a, b, c = subset(0), subset(0), subset(1)
    assert len(a) == 20
    assert [x['source_idx'] for x in a] == [x['source_idx'] for x in b]
    assert [x['source_idx'] for x in a] != [x['source_idx'] for x in c]
    # every kept sample is the original image/label at its index
    for info in a:
        np.testing.assert_array_equal(info['img'], images[info['source_idx']])
        assert info['gt_label'] == labels[info['source_idx']]
    assert np.bincount([x['gt_label'] for x in a], minlength=10).tolist() \
        == [2] * 10
    # classes with too few images are topped up from the others
    big = stratified_subset(labels, 30, seed=0)
    assert len(np.unique(big)) == 30
    assert np.bincount(labels[big], minlength=10)[5:].tolist() == [2] * 5
    with pytest.raises(ValueError, match='subset size'):
        stratified_subset(labels, len(labels) + 1, seed=0)


def test_missing_file_names_it_and_the_apt_command(tmp_path):
    write_idx(str(tmp_path / 'train-images-idx3-ubyte'), np.zeros((1, 28, 28)))
    with pytest.raises(FileNotFoundError) as err:
        FashionMNISTIDX(data_root=str(tmp_path), split='train')
    assert 'train-labels-idx1-ubyte' in str(err.value)
    assert 'apt-get install dataset-fashion-mnist' in str(err.value)
    with pytest.raises(ValueError, match='split'):
        FashionMNISTIDX(data_root=str(tmp_path), split='val')


def test_registry_build_with_pipeline(idx_root):
    from mmpretrain.registry import DATASETS
    root, truth = idx_root
    ds = DATASETS.build(
        dict(
            type='FashionMNISTIDX',
            data_root=str(root),
            split='test',
            pipeline=[
                dict(type='RandomCrop', crop_size=28, padding=2),
                dict(type='PatchPermute', patch_size=4),
                dict(
                    type='PackInputs', meta_keys=('sample_idx', 'patch_perm')),
            ]))
    out = ds[3]
    assert out['inputs'].shape == (1, 28, 28)
    assert out['data_samples'].gt_label.item() == 3
    assert sorted(out['data_samples'].patch_perm.tolist()) == list(range(49))
