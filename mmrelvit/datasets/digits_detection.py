"""Detection scenes of real handwritten digits (scikit-learn's digits pasted
at several scales on textured backgrounds), written in the on-disk formats
of COCO, Pascal VOC and KITTI: the SVHN-detection task in miniature.

Train scenes use only digits of the train split of
:func:`~mmrelvit.datasets.digits.split_indices`, val scenes only digits of
the val split, so no digit image is shared between the two. Boxes are tight
around the instance masks, which are exact (digits never overlap).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Tuple
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image

from .digits import (DIGIT_CLASSES, _already_written, _AtomicDir, _write_stamp,
                     compose_scene, load_digits, split_indices)

#: Sub-directory of the VOC tree. Not 'VOC2007': mmdet's VOCDataset would
#: then report the 20 VOC class names in its metric tables.
VOC_SUBDIR = 'VOCdigits'


def _coco_annotation(instance: dict, ann_id: int, image_id: int) -> dict:
    from pycocotools import mask as mask_utils
    x1, y1, x2, y2 = instance['bbox']
    rle = mask_utils.encode(np.asfortranarray(instance['mask'], np.uint8))
    rle['counts'] = rle['counts'].decode('ascii')
    return dict(
        id=ann_id,
        image_id=image_id,
        category_id=instance['label'] + 1,
        bbox=[x1, y1, x2 - x1, y2 - y1],
        area=float(instance['mask'].sum()),
        segmentation=rle,
        iscrowd=0)


def _voc_xml(filename: str, size: int, instances: List[dict]) -> str:
    """Pascal VOC annotation: 1-based pixel indices, ``xmax``/``ymax`` the
    last pixel inside the box (mmdet's VOCDataset subtracts 1)."""
    objects = ''.join(f"""
  <object>
    <name>{DIGIT_CLASSES[inst['label']]}</name>
    <pose>Unspecified</pose>
    <truncated>0</truncated>
    <difficult>0</difficult>
    <bndbox>
      <xmin>{inst['bbox'][0] + 1}</xmin>
      <ymin>{inst['bbox'][1] + 1}</ymin>
      <xmax>{inst['bbox'][2]}</xmax>
      <ymax>{inst['bbox'][3]}</ymax>
    </bndbox>
  </object>""" for inst in instances)
    return f"""<annotation>
  <folder>{VOC_SUBDIR}</folder>
  <filename>{escape(filename)}</filename>
  <size>
    <width>{size}</width>
    <height>{size}</height>
    <depth>3</depth>
  </size>
  <segmented>0</segmented>{objects}
</annotation>
"""


def _kitti_txt(instances: List[dict]) -> str:
    """KITTI label_2 lines; the 3-D fields are zero. Box coordinates are
    pixel edges (right = left + width), as tools/dataset_converters/
    kitti2coco.py reads them."""
    return ''.join(f'{DIGIT_CLASSES[inst["label"]]} 0.00 0 0.00 '
                   f'{inst["bbox"][0]:.2f} {inst["bbox"][1]:.2f} '
                   f'{inst["bbox"][2]:.2f} {inst["bbox"][3]:.2f} '
                   '0.00 0.00 0.00 0.00 0.00 0.00 0.00\n'
                   for inst in instances)


def write_detection(out_dir: str,
                    size: int = 64,
                    num_train: int = 1000,
                    num_val: int = 200,
                    max_digits: int = 3,
                    scale_range: Tuple[int, int] = (20, 40),
                    val_fraction: float = 0.2,
                    seed: int = 0,
                    background: str = 'plain',
                    overwrite: bool = False) -> str:
    """Write digit detection scenes as COCO, VOC and KITTI data sets.

    Layout::

        out_dir/images/{train,val}/000000.png          (size x size, RGB)
        out_dir/annotations/instances_{train,val}.json (COCO: boxes, RLE
                                                         masks, area,
                                                         iscrowd=0)
        out_dir/VOCdigits/JPEGImages/{train,val}_000000.jpg
        out_dir/VOCdigits/Annotations/{train,val}_000000.xml
        out_dir/VOCdigits/ImageSets/Main/{trainval,test}.txt (train / val)
        out_dir/kitti/training/{image_2,label_2}/000000.{png,txt}
                                         (train scenes, then val scenes)
        out_dir/generated.json                         (parameters; last)

    COCO category ids are ``digit + 1`` named ``'0'`` ... ``'9'``. Calling
    it again with the same parameters is a no-op.

    Args:
        out_dir (str): Root of the data set.
        size (int): Side of the square scenes in pixels.
        num_train (int): Number of train scenes.
        num_val (int): Number of val scenes.
        max_digits (int): At most this many digits per scene (at least 1).
        scale_range (tuple[int]): Min and max side of a pasted digit.
        val_fraction (float): Share of each digit class whose images are
            reserved for val scenes.
        seed (int): Seed of the digit split and of the scenes.
        background (str): ``'textured'`` or ``'plain'``, see
            :func:`~mmrelvit.datasets.digits.compose_scene`.
        overwrite (bool): Replace an existing ``out_dir`` written with other
            parameters instead of raising.

    Returns:
        str: ``out_dir``.
    """
    params = dict(
        task='detection',
        size=size,
        num_train=num_train,
        num_val=num_val,
        max_digits=max_digits,
        scale_range=list(scale_range),
        val_fraction=val_fraction,
        seed=seed)
    if background != 'textured':
        # textured stamps written before the option existed stay valid
        params['background'] = background
    if _already_written(out_dir, params, overwrite):
        return out_dir
    images, labels = load_digits()
    pools = split_indices(labels, val_fraction, seed)
    categories = [
        dict(id=i + 1, name=name) for i, name in enumerate(DIGIT_CLASSES)
    ]
    voc = VOC_SUBDIR
    kitti_index = 0
    with _AtomicDir(out_dir, overwrite=True) as tmp:
        for sub in ('annotations', osp.join(voc, 'JPEGImages'),
                    osp.join(voc, 'Annotations'),
                    osp.join(voc, 'ImageSets',
                             'Main'), osp.join('kitti', 'training', 'image_2'),
                    osp.join('kitti', 'training', 'label_2')):
            os.makedirs(osp.join(tmp, sub))
        for split, count, voc_set, stream in (('train', num_train, 'trainval',
                                               0), ('val', num_val, 'test',
                                                    1)):
            os.makedirs(osp.join(tmp, 'images', split))
            # one stream per split: more val scenes never change train ones
            rng = np.random.RandomState([seed, stream])
            coco: Dict[str, list] = dict(
                images=[], annotations=[], categories=categories)
            voc_ids = []
            for i in range(count):
                scene, instances = compose_scene(
                    rng,
                    images,
                    labels,
                    pools[split],
                    size=size,
                    max_digits=max_digits,
                    scale_range=scale_range,
                    background=background)
                name = f'{i:06d}'
                pil = Image.fromarray(scene)
                pil.save(osp.join(tmp, 'images', split, f'{name}.png'))
                coco['images'].append(
                    dict(
                        id=i + 1,
                        file_name=f'{split}/{name}.png',
                        width=size,
                        height=size))
                for inst in instances:
                    coco['annotations'].append(
                        _coco_annotation(inst,
                                         len(coco['annotations']) + 1, i + 1))
                voc_id = f'{split}_{name}'
                voc_ids.append(voc_id)
                pil.save(
                    osp.join(tmp, voc, 'JPEGImages', f'{voc_id}.jpg'),
                    quality=95)
                with open(
                        osp.join(tmp, voc, 'Annotations', f'{voc_id}.xml'),
                        'w') as f:
                    f.write(_voc_xml(f'{voc_id}.jpg', size, instances))
                kitti_name = f'{kitti_index:06d}'
                kitti_index += 1
                pil.save(
                    osp.join(tmp, 'kitti', 'training', 'image_2',
                             f'{kitti_name}.png'))
                with open(
                        osp.join(tmp, 'kitti', 'training', 'label_2',
                                 f'{kitti_name}.txt'), 'w') as f:
                    f.write(_kitti_txt(instances))
            with open(
                    osp.join(tmp, 'annotations', f'instances_{split}.json'),
                    'w') as f:
                json.dump(coco, f)
            with open(
                    osp.join(tmp, voc, 'ImageSets', 'Main', f'{voc_set}.txt'),
                    'w') as f:
                f.writelines(f'{voc_id}\n' for voc_id in voc_ids)
        _write_stamp(tmp, params)
    return out_dir
