"""Command-line inputs refused before anything is written: converter
options, a non-UTF-8 KITTI label file, a digitStruct.mat that is not HDF5,
make_digits ranges and dist_train.sh on a busy port."""
import socket

import pytest
from conftest import run_tool
from test_det_converters import (SVHN, convert_kitti, good_kitti_labels,
                                 write_kitti)


@pytest.mark.parametrize('args, message', [
    ('--val-ratio 1.5',
     'argument --val-ratio: must be between 0 and 1 (exclusive), got 1.5'),
    ('--val-ratio -0.5',
     'argument --val-ratio: must be between 0 and 1 (exclusive), got -0.5'),
    ('--classes Car Van Car',
     '--classes: Car listed more than once (each class is one category)'),
])
def test_kitti2coco_refuses_bad_options(tmp_path, args, message):
    root = write_kitti(tmp_path / 'kitti', good_kitti_labels(2))
    proc = convert_kitti(root, tmp_path / 'ann', *args.split(), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == \
        f'kitti2coco.py: error: {message}'
    assert not (tmp_path / 'ann').exists()


def test_kitti2coco_names_a_non_utf8_label_file(tmp_path):
    root = write_kitti(tmp_path / 'kitti', good_kitti_labels(3))
    label = root / 'training' / 'label_2' / '000001.txt'
    label.write_bytes(label.read_bytes() + b'Car \xff\xfe broken\n')
    proc = convert_kitti(root, tmp_path / 'ann', check=False)
    assert proc.returncode == 1
    assert f"{label}:5: not UTF-8 text (byte b'\\xff' at offset" in \
        proc.stderr
    assert not (tmp_path / 'ann').exists()


def test_kitti2coco_refuses_an_empty_split(tmp_path):
    root = write_kitti(tmp_path / 'kitti', good_kitti_labels(2))
    proc = convert_kitti(
        root, tmp_path / 'ann', '--val-ratio', '0.1', check=False)
    assert proc.returncode == 1
    assert ('2 images cannot be split with val_ratio=0.1 into non-empty '
            'train and val sets') in proc.stderr
    assert not (tmp_path / 'ann').exists()


def test_svhn2coco_names_a_mat_file_that_is_not_hdf5(tmp_path):
    mat = tmp_path / 'svhn' / 'train' / 'digitStruct.mat'
    mat.parent.mkdir(parents=True)
    # a MATLAB v5 file (scipy.io.savemat's default) is not HDF5
    mat.write_bytes(b'MATLAB 5.0 MAT-file' + bytes(200))
    out = tmp_path / 'ann'
    proc = run_tool(
        [SVHN, tmp_path / 'svhn', '--splits', 'train', '--out-dir', out],
        check=False)
    assert proc.returncode == 1
    assert f'{mat}:0: not a MATLAB v7.3 (HDF5) file' in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize('args, message', [
    ('--det-scenes 0 0', 'argument --det-scenes: must be >= 1, got 0'),
    ('--seg-scenes -1 2', 'argument --seg-scenes: must be >= 1, got -1'),
    ('--tasks det --det-digit-size 30 20',
     '--det-digit-size: MIN 30 is larger than MAX 20'),
    ('--tasks det --det-size 16 --det-digit-size 8 20',
     '--det-digit-size: MAX 20 does not fit in a --det-size 16 scene'),
])
def test_make_digits_refuses_bad_ranges(tmp_path, args, message):
    out = tmp_path / 'digits'
    proc = run_tool([
        'tools/dataset_converters/make_digits.py', '--out', out, *args.split()
    ],
                    check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == \
        f'make_digits.py: error: {message}'
    assert not out.exists()


def test_dist_train_on_a_busy_port_suggests_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_tool(['bash', 'tools/dist_train.sh', 'cfg.py', '2'],
                        env={'PORT': str(port)},
                        check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        f'dist_train.sh: port {port} is already in use (another '
        'distributed run?); choose a free port with PORT, e.g. PORT=')
    assert lines[0].endswith('tools/dist_train.sh cfg.py 2')
