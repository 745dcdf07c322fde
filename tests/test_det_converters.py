"""tools/dataset_converters/kitti2coco.py and svhn2coco.py on generated
fixtures in the two formats, including every malformed case."""
import json

import numpy as np
import pytest
from conftest import run_tool
from PIL import Image

KITTI = 'tools/dataset_converters/kitti2coco.py'
SVHN = 'tools/dataset_converters/svhn2coco.py'


def kitti_line(name, box, score=None):
    x1, y1, x2, y2 = box
    line = (f'{name} 0.00 0 -1.57 {x1:.2f} {y1:.2f} {x2:.2f} {y2:.2f} '
            '1.50 1.60 3.70 1.00 1.50 20.00 -1.55')
    return line + (f' {score}' if score is not None else '')


def write_kitti(root, labels, size=(120, 40)):
    """``labels``: {stem: [line, ...]}; every stem gets a size image."""
    (root / 'training' / 'label_2').mkdir(parents=True)
    (root / 'training' / 'image_2').mkdir(parents=True)
    for stem, lines in labels.items():
        Image.new('RGB',
                  size).save(root / 'training' / 'image_2' / f'{stem}.png')
        (root / 'training' / 'label_2' / f'{stem}.txt').write_text(''.join(
            line + '\n' for line in lines))
    return root


def good_kitti_labels(num=8):
    labels = {}
    for i in range(num):
        labels[f'{i:06d}'] = [
            kitti_line('Car', (1 + i, 2, 50.5, 30)),
            kitti_line('Pedestrian', (60, 5, 70, 39.0), score=0.9),
            kitti_line('DontCare', (0, 0, 3, 3)),
            kitti_line('Van', (80, 1, 119, 20)),
        ]
    return labels


def convert_kitti(root, out, *args, check=True):
    return run_tool([KITTI, root, '--out-dir', out, *args], check=check)


def load(path):
    with open(path) as f:
        return json.load(f)


def test_kitti_split_classes_and_boxes(tmp_path):
    root = write_kitti(tmp_path / 'kitti', good_kitti_labels(8))
    out = tmp_path / 'ann'
    convert_kitti(root, out, '--classes', 'Car', 'Pedestrian')
    train, val = load(out / 'kitti_train.json'), load(out / 'kitti_val.json')
    # 75 / 25 of 8 images, disjoint, every image once
    assert (len(train['images']), len(val['images'])) == (6, 2)
    names = [im['file_name'] for im in train['images'] + val['images']]
    assert sorted(names) == [f'{i:06d}.png' for i in range(8)]
    assert train['categories'] == [
        dict(id=1, name='Car'),
        dict(id=2, name='Pedestrian')
    ]
    # Van (not selected) and DontCare are dropped; boxes are x, y, w, h
    assert len(train['annotations']) == 12
    first = train['images'][0]
    i = int(first['file_name'][:6])
    anns = [a for a in train['annotations'] if a['image_id'] == first['id']]
    assert [(a['category_id'], a['bbox'])
            for a in anns] == [(1, [1 + i, 2, 49.5 - i, 28]),
                               (2, [60, 5, 10, 34])]
    assert all(a['iscrowd'] == 0 and a['area'] > 0 for a in anns)
    assert (first['width'], first['height']) == (120, 40)

    # the split is a function of the seed
    convert_kitti(root, tmp_path / 'again')
    assert load(tmp_path / 'again' / 'kitti_val.json')['images'] == \
        val['images']
    convert_kitti(root, tmp_path / 'seed1', '--seed', '1')
    other = load(tmp_path / 'seed1' / 'kitti_val.json')['images']
    assert [im['file_name'] for im in other] != \
        [im['file_name'] for im in val['images']]
    # default classes: the eight object types, Van included
    all_classes = load(tmp_path / 'again' / 'kitti_train.json')
    assert len(all_classes['categories']) == 8
    assert len(all_classes['annotations']) == 18


@pytest.mark.parametrize('case,line,message', [
    ('malformed', 'Car 0.00 0 -1.57 1 2 3', 'malformed line: expected 15'),
    ('non-numeric', kitti_line('Car', (1, 2, 3, 4)).replace(
        '1.60', 'x'), 'malformed line'),
    ('outside', kitti_line('Car', (100, 2, 130, 30)),
     'box [100.0, 2.0, 130.0, 30.0] outside the 120x40 image'),
    ('empty', kitti_line(
        'Car', (50, 2, 50, 30)), 'empty box [50.0, 2.0, 50.0, 30.0]'),
    ('unknown class', kitti_line('Bus', (1, 2, 3, 4)), "unknown class 'Bus'"),
])
def test_kitti_invalid_line_is_reported_and_nothing_written(
        tmp_path, case, line, message):
    labels = good_kitti_labels(4)
    labels['000002'].insert(1, line)
    root = write_kitti(tmp_path / 'kitti', labels)
    out = tmp_path / 'ann'
    proc = convert_kitti(root, out, check=False)
    assert proc.returncode == 1
    label = root / 'training' / 'label_2' / '000002.txt'
    assert f'{label}:2: {message}' in proc.stderr
    assert 'nothing written' in proc.stderr
    assert not out.exists()


def test_kitti_missing_image_is_reported(tmp_path):
    root = write_kitti(tmp_path / 'kitti', good_kitti_labels(3))
    image = root / 'training' / 'image_2' / '000001.png'
    image.unlink()
    proc = convert_kitti(root, tmp_path / 'ann', check=False)
    assert proc.returncode == 1
    label = root / 'training' / 'label_2' / '000001.txt'
    assert f'{label}:1: missing image {image}' in proc.stderr
    assert not (tmp_path / 'ann').exists()


def write_digit_struct(path, records):
    """``digitStruct.mat`` as MATLAB v7.3 writes it: ``digitStruct/name``
    and ``digitStruct/bbox`` columns of object references; a bbox field is
    a (1, 1) value for one digit and a column of references to (1, 1)
    values for several."""
    import h5py
    with h5py.File(path, 'w') as f:
        refs = f.create_group('#refs#')
        ds = f.create_group('digitStruct')
        counter = iter(range(10**6))

        def store(data):
            dset = refs.create_dataset(str(next(counter)), data=data)
            return dset.ref

        name_refs, box_refs = [], []
        for name, digits in records:
            name_refs.append(
                store(np.array([[ord(c)] for c in name], np.uint16)))
            group = refs.create_group(str(next(counter)))
            for key in ('height', 'label', 'left', 'top', 'width'):
                values = digits[key] if isinstance(digits, dict) else [
                    d[('label', 'left', 'top', 'width', 'height').index(key)]
                    for d in digits
                ]
                if len(values) == 1:
                    group.create_dataset(
                        key, data=np.array([[values[0]]], np.float64))
                else:
                    group.create_dataset(
                        key,
                        data=np.array([[store(np.array([[v]], np.float64))]
                                       for v in values],
                                      dtype=h5py.ref_dtype))
            box_refs.append(group.ref)
        ds.create_dataset(
            'name',
            data=np.array([[r] for r in name_refs], dtype=h5py.ref_dtype))
        ds.create_dataset(
            'bbox',
            data=np.array([[r] for r in box_refs], dtype=h5py.ref_dtype))


def write_svhn(root, split, records, size=(60, 30), skip_images=()):
    folder = root / split
    folder.mkdir(parents=True)
    for name, _ in records:
        if name not in skip_images:
            Image.new('RGB', size).save(folder / name)
    write_digit_struct(folder / 'digitStruct.mat', records)
    return root


# (label, left, top, width, height); label 10 is the digit 0
GOOD = [('1.png', [(1, 5, 2, 10, 20), (10, 16, 3, 10, 20)]),
        ('2.png', [(7, 30, 1, 12, 25)])]


def test_svhn_single_and_multi_digit_records(tmp_path):
    root = write_svhn(tmp_path / 'svhn', 'train', GOOD)
    write_svhn(root, 'test', GOOD[1:])
    out = tmp_path / 'ann'
    proc = run_tool([SVHN, root, '--out-dir', out])
    assert 'train: 2 images, 3 digits' in proc.stdout
    train = load(out / 'svhn_train.json')
    assert [im['file_name'] for im in train['images']] == \
        ['train/1.png', 'train/2.png']
    assert train['images'][0]['width'] == 60
    assert [(a['image_id'], a['category_id'], a['bbox'])
            for a in train['annotations']] == [(1, 2, [5, 2, 10, 20]),
                                               (1, 1, [16, 3, 10, 20]),
                                               (2, 8, [30, 1, 12, 25])]
    assert train['categories'][0] == dict(id=1, name='0')
    assert len(load(out / 'svhn_test.json')['images']) == 1


@pytest.mark.parametrize('case,records,message', [
    ('unknown label', [('1.png', [(11, 5, 2, 10, 20)])
                       ], ':1: 1.png digit 1: unknown class label 11'),
    ('outside', GOOD[:1] + [('2.png', [(3, 1, 2, 10, 20),
                                       (7, 55, 1, 12, 25)])],
     ':2: 2.png digit 2: box [left 55, top 1, width 12, height 25] outside '
     'the 60x30 image'),
    ('malformed',
     [('1.png',
       dict(
           label=[1, 2], left=[5], top=[2, 2], width=[10, 10],
           height=[20, 20]))], ':1: malformed record: field lengths'),
])
def test_svhn_invalid_record_is_reported_and_nothing_written(
        tmp_path, case, records, message):
    root = write_svhn(tmp_path / 'svhn', 'train', records)
    out = tmp_path / 'ann'
    proc = run_tool([SVHN, root, '--splits', 'train', '--out-dir', out],
                    check=False)
    assert proc.returncode == 1
    mat = root / 'train' / 'digitStruct.mat'
    assert f'{mat}{message}' in proc.stderr
    assert not out.exists()


def test_svhn_missing_image_and_clip(tmp_path):
    records = GOOD + [('3.png', [(4, -2, 1, 10, 31)])]
    root = write_svhn(
        tmp_path / 'svhn', 'train', records, skip_images=('2.png', ))
    proc = run_tool([SVHN, root, '--splits', 'train'], check=False)
    mat = root / 'train' / 'digitStruct.mat'
    assert f"{mat}:2: missing image {root / 'train' / '2.png'}" in \
        proc.stderr
    assert f'{mat}:3: 3.png digit 1: box' in proc.stderr
    assert not (root / 'annotations').exists()

    # --clip keeps a box that sticks out, cut to the image
    Image.new('RGB', (60, 30)).save(root / 'train' / '2.png')
    proc = run_tool([SVHN, root, '--splits', 'train', '--clip'])
    assert '1 boxes clipped' in proc.stdout
    ann = load(root / 'annotations' / 'svhn_train.json')['annotations']
    assert ann[-1]['bbox'] == [0, 1, 8, 29]
