"""The digit detection scenes in COCO / VOC / KITTI formats, read back by
mmdet through the data-set fragments of the real configs and scored by
their evaluators (ground truth as predictions must score 1)."""
import json
import os
import os.path as osp
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
from conftest import REPO, run_tool
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmrelvit.datasets.digits import DIGIT_CLASSES
from mmrelvit.datasets.digits_detection import write_detection

CFG = osp.join(REPO, 'configs', 'mask_rcnn')
NUM_TRAIN, NUM_VAL = 6, 4


@pytest.fixture(scope='module')
def det_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('digits') / 'det'
    return write_detection(str(root), num_train=NUM_TRAIN, num_val=NUM_VAL)


def load(path):
    with open(path) as f:
        return json.load(f)


def test_coco_boxes_masks_and_idempotence(det_root):
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO
    coco = COCO(osp.join(det_root, 'annotations', 'instances_val.json'))
    assert len(coco.getImgIds()) == NUM_VAL
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        list(DIGIT_CLASSES)
    anns = coco.loadAnns(coco.getAnnIds())
    assert anns
    for ann in anns:
        mask = mask_utils.decode(ann['segmentation'])
        ys, xs = np.nonzero(mask)
        x, y, w, h = ann['bbox']
        # the box is tight around the exact mask
        assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == \
            (x, y, x + w, y + h)
        assert ann['area'] == mask.sum() and ann['iscrowd'] == 0
        assert 1 <= ann['category_id'] <= 10
    image = osp.join(det_root, 'images', coco.loadImgs(1)[0]['file_name'])
    assert osp.isfile(image)

    stamp = osp.join(det_root, 'generated.json')
    before = os.stat(stamp).st_mtime_ns
    assert write_detection(
        det_root, num_train=NUM_TRAIN, num_val=NUM_VAL) == det_root
    assert os.stat(stamp).st_mtime_ns == before
    with pytest.raises(FileExistsError, match='overwrite'):
        write_detection(det_root, num_train=NUM_TRAIN + 1, num_val=NUM_VAL)


def test_voc_and_kitti_carry_the_coco_boxes(det_root, tmp_path):
    coco = load(osp.join(det_root, 'annotations', 'instances_train.json'))
    boxes = {}
    for ann in coco['annotations']:
        boxes.setdefault(ann['image_id'] - 1, []).append(
            (DIGIT_CLASSES[ann['category_id'] - 1], ann['bbox']))
    # VOC: 1-based pixel indices, xmax / ymax the last pixel of the box
    for i in range(NUM_TRAIN):
        root = ET.parse(
            osp.join(det_root, 'VOCdigits', 'Annotations',
                     f'train_{i:06d}.xml')).getroot()
        voc = []
        for obj in root.findall('object'):
            b = [
                int(obj.find(f'bndbox/{k}').text)
                for k in ('xmin', 'ymin', 'xmax', 'ymax')
            ]
            voc.append((obj.find('name').text,
                        [b[0] - 1, b[1] - 1, b[2] - b[0] + 1,
                         b[3] - b[1] + 1]))
        assert voc == boxes[i]
    with open(
            osp.join(det_root, 'VOCdigits', 'ImageSets', 'Main',
                     'test.txt')) as f:
        assert f.read().split() == [f'val_{i:06d}' for i in range(NUM_VAL)]

    # KITTI (train scenes first): through the converter, same boxes
    out = tmp_path / 'ann'
    run_tool([
        'tools/dataset_converters/kitti2coco.py',
        osp.join(det_root, 'kitti'), '--out-dir', out, '--classes',
        *DIGIT_CLASSES
    ])
    kitti = {}
    for split in ('train', 'val'):
        data = load(out / f'kitti_{split}.json')
        names = {im['id']: im['file_name'] for im in data['images']}
        for ann in data['annotations']:
            kitti.setdefault(int(names[ann['image_id']][:6]), []).append(
                (DIGIT_CLASSES[ann['category_id'] - 1], ann['bbox']))
    assert len(kitti) == NUM_TRAIN + NUM_VAL
    for i in range(NUM_TRAIN):
        assert kitti[i] == boxes[i]


def perfect_score(cfg, data_root, **dataset_kwargs):
    """Feed the ground truth as predictions through ``cfg``'s test data set
    and test evaluator; return the metrics."""
    from mmdet.registry import DATASETS
    from mmdet.structures import DetDataSample
    from mmengine.evaluator import Evaluator
    from mmengine.structures import InstanceData
    init_default_scope('mmdet')
    dataset_cfg = dict(cfg.test_dataloader.dataset)
    dataset_cfg.update(data_root=data_root, **dataset_kwargs)
    dataset = DATASETS.build(dataset_cfg)
    evaluator = Evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = dataset.metainfo
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        instances = dataset.get_data_info(i)['instances']
        pred = InstanceData(
            bboxes=torch.tensor([inst['bbox'] for inst in instances],
                                dtype=torch.float32).reshape(-1, 4),
            labels=torch.tensor([inst['bbox_label'] for inst in instances]),
            scores=torch.ones(len(instances)))
        if instances and 'mask' in instances[0]:
            from pycocotools import mask as mask_utils

            # the json's RLE, as the data set read it
            pred.masks = torch.from_numpy(
                np.stack([
                    mask_utils.decode(inst['mask']) for inst in instances
                ])).bool()
        out = DetDataSample(metainfo=sample.metainfo)
        out.pred_instances = pred
        out.gt_instances = sample.gt_instances
        out.ignored_instances = sample.ignored_instances
        evaluator.process([out])
    return evaluator.evaluate(len(dataset))


def test_digits_coco_config_scores_ground_truth_1(det_root):
    cfg = Config.fromfile(
        osp.join(CFG, 'mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py'))
    cfg.test_evaluator.ann_file = osp.join(det_root, 'annotations',
                                           'instances_val.json')
    metrics = perfect_score(cfg, det_root + '/')
    assert metrics['coco/bbox_mAP'] == pytest.approx(1.0)
    assert metrics['coco/segm_mAP'] == pytest.approx(1.0)


def test_voc07_config_reads_voc_xml_and_reports_coco_and_voc_map(det_root):
    cfg = Config.fromfile(
        osp.join(CFG, 'mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_voc07.py'))
    metrics = perfect_score(
        cfg,
        det_root + '/',
        ann_file='VOCdigits/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOCdigits/'),
        metainfo=dict(classes=DIGIT_CLASSES))
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75',
                'pascal_voc/mAP'):
        assert metrics[key] == pytest.approx(1.0), key


def test_kitti_config_reads_converted_json(det_root, tmp_path):
    kitti_root = osp.join(det_root, 'kitti')
    out = tmp_path / 'annotations'
    run_tool([
        'tools/dataset_converters/kitti2coco.py', kitti_root, '--out-dir', out,
        '--classes', *DIGIT_CLASSES
    ])
    cfg = Config.fromfile(
        osp.join(CFG, 'mask-rcnn_vit-small-p16_fpn_8xb2-ms-1x_kitti-2d.py'))
    cfg.test_evaluator.ann_file = str(out / 'kitti_val.json')
    metrics = perfect_score(
        cfg,
        kitti_root + '/',
        ann_file=str(out / 'kitti_val.json'),
        metainfo=dict(classes=DIGIT_CLASSES))
    assert metrics['coco/bbox_mAP'] == pytest.approx(1.0)


def test_plain_scenes_from_the_cli_are_grey_digits_on_black(tmp_path):
    """``--det-background plain``: the classification images' look (grey
    ink on black) at another scene size; pixels outside every mask are
    black and the three channels are equal."""
    from PIL import Image
    from pycocotools import mask as mask_utils
    run_tool([
        'tools/dataset_converters/make_digits.py', '--tasks', 'det', '--out',
        str(tmp_path), '--det-scenes', '3', '2', '--det-size', '64',
        '--det-digit-size', '20', '32', '--det-max-digits', '2',
        '--det-background', 'plain'
    ])
    root = tmp_path / 'det'
    assert load(root / 'generated.json')['background'] == 'plain'
    coco = load(root / 'annotations' / 'instances_train.json')
    for info in coco['images']:
        image = np.asarray(Image.open(root / 'images' / info['file_name']))
        assert image.shape == (64, 64, 3)
        assert (image[..., 0] == image[..., 1]).all()
        assert (image[..., 0] == image[..., 2]).all()
        anns = [a for a in coco['annotations'] if a['image_id'] == info['id']]
        assert 1 <= len(anns) <= 2
        inside = np.zeros((64, 64), bool)
        for ann in anns:
            inside |= mask_utils.decode(ann['segmentation']).astype(bool)
            assert 20 * 0.5 <= max(ann['bbox'][2:]) <= 32
        # outside the masks: black, or faint anti-aliased ink below the
        # mask threshold (96)
        outside = image[~inside][:, 0]
        assert outside.max() < 96 and (outside == 0).mean() > 0.5
        assert image[inside].min() >= 96 * 170 // 255


def test_unknown_background_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="'plain'.*'dots'"):
        write_detection(
            str(tmp_path / 'det'), num_train=1, num_val=1, background='dots')
    assert not osp.exists(tmp_path / 'det')
