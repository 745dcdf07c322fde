"""Semantic segmentation scenes of the embedded digits in ADE20K's layout.

Label convention (the raw PNG values; read with ``reduce_zero_label=True``
exactly like ADE20K)::

    raw   0        -> ignored (255 after reduction); reserved, never written
    raw   1        -> class 0 'background'
    raw   c + 2    -> class c + 1, the digit c (c = 0..9)

Background is a class, not "ignore": a digits model must tell ink from
texture, and mIoU over background + 10 digits penalises both missed and
hallucinated digits. Raw 0 keeps ADE20K's meaning ("other", ignored), so the
same pipeline, reduction and :class:`mmseg.evaluation.IoUMetric` settings
serve both data sets. Digit pixels are the instance masks of
:func:`~mmrelvit.datasets.digits.compose_scene` (the masks the detection
writer uses), so the two tasks label the same ink.

This module needs only numpy and Pillow: ``import mmrelvit.datasets`` never
imports mmseg.
"""
import os
import os.path as osp
from typing import Dict

import numpy as np
from PIL import Image

from .digits import (DIGIT_CLASSES, _already_written, _AtomicDir, _write_stamp,
                     compose_scene, load_digits, split_indices)

#: Class names after ``reduce_zero_label`` (11 classes).
DIGITS_SEG_CLASSES = ('background', ) + DIGIT_CLASSES

#: Overlay colours, one per class in :data:`DIGITS_SEG_CLASSES`.
DIGITS_SEG_PALETTE = [[120, 120, 120], [230, 25, 75], [60, 180, 75],
                      [255, 225, 25], [0, 130, 200], [245, 130, 48],
                      [145, 30, 180], [70, 240, 240], [240, 50, 230],
                      [210, 245, 60], [250, 190, 212]]

#: ADE20K's folder names for the two splits.
SPLIT_DIRS = dict(train='training', val='validation')


def scene_label_map(instances: list, size: int) -> np.ndarray:
    """Raw ADE20K-style label map of one composed scene.

    Args:
        instances (list[dict]): Instances from :func:`compose_scene`, each
            with ``label`` (digit class) and ``mask`` (size, size) bool.
        size (int): Side of the scene.

    Returns:
        np.ndarray: (size, size) uint8 map, 1 for background and
        ``label + 2`` for digit pixels.
    """
    label_map = np.ones((size, size), np.uint8)
    for inst in instances:
        label_map[inst['mask']] = inst['label'] + 2
    return label_map


def write_segmentation(out_dir: str,
                       num_train: int = 1000,
                       num_val: int = 200,
                       size: int = 128,
                       max_digits: int = 4,
                       val_fraction: float = 0.2,
                       seed: int = 0,
                       overwrite: bool = False) -> str:
    """Write digit scenes as an ADE20K-layout semantic segmentation set.

    Layout (what mmseg's ``ADE20KDataset`` reads)::

        out_dir/images/training/digits_00000.jpg          (size x size RGB)
        out_dir/annotations/training/digits_00000.png     (uint8 label map)
        out_dir/images/validation/...  out_dir/annotations/validation/...
        out_dir/generated.json                            (written last)

    Training scenes use only training-split digits and validation scenes
    only validation-split digits (:func:`split_indices`), so no handwritten
    digit is seen in both. Each split draws from its own random stream:
    changing ``num_val`` leaves the training scenes unchanged. Calling it
    again with the same parameters is a no-op.

    Args:
        out_dir (str): Root of the data set.
        num_train (int): Number of training scenes.
        num_val (int): Number of validation scenes.
        size (int): Side of the square scenes in pixels; pasted digits
            are 20-56 px at 128 and scale with it.
        max_digits (int): At most this many digits per scene.
        val_fraction (float): Share of each digit class kept for
            validation scenes.
        seed (int): Seed of the digit split and of the scenes.
        overwrite (bool): Replace an existing ``out_dir`` written with other
            parameters instead of raising.

    Returns:
        str: ``out_dir``.
    """
    params = dict(
        task='segmentation',
        num_train=num_train,
        num_val=num_val,
        size=size,
        max_digits=max_digits,
        val_fraction=val_fraction,
        seed=seed)
    if _already_written(out_dir, params, overwrite):
        return out_dir
    images, labels = load_digits()
    pools = split_indices(labels, val_fraction, seed)
    counts: Dict[str, int] = dict(train=num_train, val=num_val)
    # digit sides of 20-56 px in a 128-px scene, proportionally otherwise
    scale_range = (max(round(20 * size / 128), 8), round(56 * size / 128))
    with _AtomicDir(out_dir, overwrite=True) as tmp:
        for stream, (split, folder) in enumerate(SPLIT_DIRS.items()):
            img_dir = osp.join(tmp, 'images', folder)
            ann_dir = osp.join(tmp, 'annotations', folder)
            os.makedirs(img_dir)
            os.makedirs(ann_dir)
            rng = np.random.RandomState([seed, stream])
            for i in range(counts[split]):
                image, instances = compose_scene(
                    rng,
                    images,
                    labels,
                    pools[split],
                    size=size,
                    max_digits=max_digits,
                    scale_range=scale_range)
                name = f'digits_{i:05d}'
                Image.fromarray(image).save(
                    osp.join(img_dir, f'{name}.jpg'), quality=95)
                Image.fromarray(scene_label_map(instances, size)).save(
                    osp.join(ann_dir, f'{name}.png'))
        _write_stamp(tmp, params)
    return out_dir
