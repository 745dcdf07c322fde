"""CheckedCocoDataset / CheckedVOCDataset: every annotation problem listed
as ``file: problem`` when the data set is built, valid data loaded exactly
as mmdet's own data sets load it, and the detection bases using them."""
import json
import os.path as osp

import pytest
from conftest import REPO
from mmengine.config import Config
from PIL import Image

import mmrelvit.det  # noqa: F401  (registers the checked data sets)

CLASSES = ('cat', 'dog')


def coco_dict():
    """Two 40x30 images, one box each, categories in the classes' order."""
    return dict(
        images=[
            dict(id=1, file_name='a.png', width=40, height=30),
            dict(id=2, file_name='b.png', width=40, height=30),
        ],
        annotations=[
            dict(
                id=1,
                image_id=1,
                category_id=1,
                bbox=[2, 3, 10, 12],
                area=120,
                iscrowd=0),
            dict(
                id=2,
                image_id=2,
                category_id=2,
                bbox=[20, 10, 19, 20],
                area=380,
                iscrowd=0),
        ],
        categories=[dict(id=1, name='cat'),
                    dict(id=2, name='dog')])


def write_coco(root, data, images=('a.png', 'b.png')):
    (root / 'img').mkdir(exist_ok=True)
    for name in images:
        Image.new('RGB', (40, 30)).save(root / 'img' / name)
    path = root / 'ann.json'
    path.write_text(json.dumps(data) if isinstance(data, dict) else data)
    return str(path)


def build(type_name, **kwargs):
    from mmdet.registry import DATASETS
    return DATASETS.build(
        dict(
            type=type_name,
            metainfo=dict(classes=CLASSES),
            pipeline=[],
            **kwargs))


def build_coco(root, type_name='CheckedCocoDataset', **kwargs):
    return build(
        type_name,
        ann_file=str(root / 'ann.json'),
        data_prefix=dict(img=str(root / 'img') + '/'),
        **kwargs)


def test_valid_coco_loads_as_cocodataset(tmp_path):
    write_coco(tmp_path, coco_dict())
    checked = build_coco(tmp_path)
    stock = build_coco(tmp_path, 'CocoDataset')
    assert len(checked) == len(stock) == 2
    for i in range(2):
        assert checked.get_data_info(i) == stock.get_data_info(i)
    assert checked.get_data_info(1)['instances'][0]['bbox'] == \
        [20, 10, 39, 30]
    # the preloaded json is not kept (nor pickled into data workers)
    assert 'COCOAPI' not in vars(checked)


def test_every_coco_problem_is_listed_with_its_file(tmp_path):
    data = coco_dict()
    data['annotations'] += [
        dict(id=3, image_id=1, category_id=7, bbox=[1, 1, 5, 5], area=25),
        dict(id=4, image_id=1, category_id=1, bbox=[30, 20, 20, 5], area=1),
        dict(id=5, image_id=2, category_id=1, bbox=[5, 5, -3, 4], area=1),
        dict(id=6, image_id=2, category_id=2, bbox=[5, 5, 4, 0], area=1),
        dict(id=7, image_id=9, category_id=1, bbox=[1, 1, 2, 2], area=4),
    ]
    ann = write_coco(tmp_path, data, images=('a.png', ))  # b.png missing
    with pytest.raises(ValueError) as info:
        build_coco(tmp_path)
    msg = str(info.value)
    assert 'CheckedCocoDataset' in msg and '6 annotation problem(s)' in msg
    for line in [
            f'{ann}: annotation 3 (image a.png): category_id 7 is not among '
            'the categories [1, 2]',
            f'{ann}: annotation 4 (image a.png): box [x1 30, y1 20, x2 50, '
            'y2 25] lies outside the 40x30 (w x h) image',
            f'{ann}: annotation 5 (image b.png): box width -3 / height 4 '
            'must be positive',
            f'{ann}: annotation 6 (image b.png): box width 4 / height 0 '
            'must be positive',
            f'{ann}: annotation 7: image_id 9 is not an image of the file',
            f'{tmp_path / "img" / "b.png"}: missing image (images[1] of '
            f'{ann})',
    ]:
        assert line in msg, line


def test_coco_classes_must_match_the_categories(tmp_path):
    data = coco_dict()
    data['categories'] = [
        dict(id=1, name='cat'),
        dict(id=2, name='bird'),
        dict(id=3, name='dog')
    ]
    ann = write_coco(tmp_path, data)
    with pytest.raises(
            ValueError,
            match=r"categories \['bird'\] are not "
            'in the data set classes'):
        build_coco(tmp_path)
    # on purpose: the json's extra category is dropped knowingly
    assert len(build_coco(tmp_path, allow_class_subset=True)) == 2

    # a class without category shifts mmdet's labels
    data['categories'] = [dict(id=1, name='cat')]
    data['annotations'] = data['annotations'][:1]
    write_coco(tmp_path, data)
    with pytest.raises(ValueError) as info:
        build_coco(tmp_path)
    assert f"{ann}: classes ['dog'] have no category" in str(info.value)

    # another order would give predictions the wrong class names
    data = coco_dict()
    data['categories'] = data['categories'][::-1]
    write_coco(tmp_path, data)
    with pytest.raises(ValueError, match="in the order \\['dog', 'cat'\\]"):
        build_coco(tmp_path)


@pytest.mark.parametrize('text, message', [
    ('{"images": [{"id": 1, "file_name": "a.png"',
     'invalid or truncated json: Expecting'),
    ('', 'empty annotation file'),
    ('[1, 2]', 'a COCO annotation file holds a json object, got a list'),
])
def test_unreadable_coco_json_names_the_file(tmp_path, text, message):
    ann = write_coco(tmp_path, text)
    with pytest.raises(ValueError) as info:
        build_coco(tmp_path)
    assert str(info.value).startswith(f'{ann}: {message}')


def test_coco_json_without_images(tmp_path):
    data = coco_dict()
    del data['images']
    ann = write_coco(tmp_path, data)
    with pytest.raises(ValueError) as info:
        build_coco(tmp_path)
    msg = str(info.value)
    assert f"{ann}: no 'images' list" in msg
    data['images'] = []
    data['annotations'] = []
    write_coco(tmp_path, data)
    with pytest.raises(ValueError, match='the images list is empty'):
        build_coco(tmp_path)


def write_voc(root, objects, size=(40, 30), ids=('000001', )):
    """VOC layout under ``root``; ``objects``: (name, xmin, ymin, xmax,
    ymax) written for every id."""
    for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for img_id in ids:
        Image.new('RGB', size).save(root / 'JPEGImages' / f'{img_id}.jpg')
        objs = ''.join(
            f'<object><name>{n}</name><difficult>0</difficult><bndbox>'
            f'<xmin>{a}</xmin><ymin>{b}</ymin><xmax>{c}</xmax>'
            f'<ymax>{d}</ymax></bndbox></object>' for n, a, b, c, d in objects)
        (root / 'Annotations' / f'{img_id}.xml').write_text(
            f'<annotation><size><width>{size[0]}</width><height>{size[1]}'
            f'</height><depth>3</depth></size>{objs}</annotation>')
    (root / 'ImageSets' / 'Main' / 'test.txt').write_text(''.join(
        f'{i}\n' for i in ids))


def build_voc(root, type_name='CheckedVOCDataset'):
    return build(
        type_name,
        data_root=str(root) + '/',
        ann_file='ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root=''),
        test_mode=True)


def test_valid_voc_loads_as_vocdataset(tmp_path):
    write_voc(tmp_path, [('cat', 1, 2, 20, 30), ('dog', 10, 5, 40, 25)])
    checked, stock = build_voc(tmp_path), build_voc(tmp_path, 'VOCDataset')
    assert checked.get_data_info(0) == stock.get_data_info(0)
    assert [i['bbox'] for i in checked.get_data_info(0)['instances']] == \
        [[0, 1, 19, 29], [9, 4, 39, 24]]


def test_every_voc_problem_is_listed_with_its_file(tmp_path):
    write_voc(
        tmp_path, [('cat', 1, 2, 20, 30), ('horse', 1, 1, 5, 5),
                   ('dog', 30, 5, 60, 25), ('dog', 10, 10, 10, 20),
                   ('cat', 'x', 1, 5, 5)],
        ids=('000001', '000002'))
    (tmp_path / 'JPEGImages' / '000002.jpg').unlink()
    xml = tmp_path / 'Annotations' / '000001.xml'
    with pytest.raises(ValueError) as info:
        build_voc(tmp_path)
    msg = str(info.value)
    assert '9 annotation problem(s) among 2 images' in msg
    for line in [
            f"{xml}: object 2: class name 'horse' is not one of the classes "
            "['cat', 'dog']",
            f'{xml}: object 3: box [x1 29, y1 4, x2 59, y2 24] lies outside '
            'the 40x30 (w x h) image',
            f'{xml}: object 4: box width 0 / height 10 must be positive',
            f"{xml}: object 5: <bndbox/xmin> is 'x', not a number",
            f'{tmp_path / "JPEGImages" / "000002.jpg"}: missing image',
    ]:
        assert line in msg, line


def test_truncated_voc_xml_names_the_file(tmp_path):
    write_voc(tmp_path, [('cat', 1, 2, 20, 30)], ids=('000001', '000002'))
    xml = tmp_path / 'Annotations' / '000002.xml'
    xml.write_text(xml.read_text()[:60])
    with pytest.raises(ValueError) as info:
        build_voc(tmp_path)
    assert f'{xml}: invalid or truncated xml (' in str(info.value)
    # what mmdet's own VOCDataset says: no file name
    with pytest.raises(Exception) as stock:
        build_voc(tmp_path, 'VOCDataset')
    assert str(xml) not in str(stock.value)


# the detection data-set bases and the checked type each must use
BASES = {
    'bbox-det_ms-480-800.py': 'CheckedCocoDataset',
    'coco_instance_ms-480-800.py': 'CheckedCocoDataset',
    'digits-det_coco-instance.py': 'CheckedCocoDataset',
    'kitti-2d_ms-480-800.py': 'CheckedCocoDataset',
    'svhn-det_ms-480-800.py': 'CheckedCocoDataset',
    'voc07_ms-480-800.py': 'CheckedVOCDataset',
}


@pytest.mark.parametrize('base', sorted(BASES))
def test_detection_bases_use_the_checked_data_sets(base):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'datasets', base))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key]['dataset']['type'] == BASES[base], key
