"""Convert KITTI 2D object labels (``training/label_2``) to COCO json.

The labelled ``training`` images are split at random (seeded) into train and
val, 75 % / 25 % by default, as in the RelViT detection note. Objects whose
type is not in ``--classes`` are dropped (``DontCare`` always is); every
label file is validated first and nothing is written if any problem is
found: a malformed line, an unknown object type, a box outside its image or
a missing image is reported as ``file:line: problem``.

Box coordinates are read as pixel edges: the COCO box of ``left top right
bottom`` is ``[left, top, right - left, bottom - top]``.

Example::

    python tools/dataset_converters/kitti2coco.py data/kitti \\
        --out-dir data/kitti/annotations
    # -> data/kitti/annotations/kitti_{train,val}.json, image paths
    #    relative to data/kitti/training/image_2/
"""
import argparse
import os
import os.path as osp
from collections import Counter

import numpy as np
from _coco_utils import (LabelError, box_annotation, exit_with_problems,
                         write_json_files)
from PIL import Image

#: Object types of the KITTI object benchmark's label_2 files.
KITTI_TYPES = ('Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting',
               'Cyclist', 'Tram', 'Misc', 'DontCare')
DEFAULT_CLASSES = KITTI_TYPES[:-1]


def parse_label_file(path, image_size, classes):
    """Parse one label_2 file.

    Args:
        path (str): The ``.txt`` file.
        image_size (tuple[int, int] | None): ``(width, height)`` of its
            image, or None when the image is missing (boxes unchecked).
        classes (Sequence[str]): Types kept as categories.

    Returns:
        tuple: ``objects`` (list of ``(class name, [x1, y1, x2, y2])``),
        ``dropped`` (Counter of known types not in ``classes``) and
        ``problems`` (list of ``file:line: problem``).
    """
    known = set(KITTI_TYPES) | set(classes)
    objects, dropped, problems = [], Counter(), []
    with open(path, 'rb') as f:
        data = f.read()
    try:
        lines = data.decode('utf-8').splitlines()
    except UnicodeDecodeError as e:
        lineno = data[:e.start].count(b'\n') + 1
        problems.append(f'{path}:{lineno}: not UTF-8 text (byte '
                        f'{data[e.start:e.start + 1]!r} at offset {e.start})')
        return objects, dropped, problems
    for lineno, line in enumerate(lines, 1):
        where = f'{path}:{lineno}'
        fields = line.split()
        if not fields:
            continue
        if len(fields) not in (15, 16):
            problems.append(f'{where}: malformed line: expected 15 values '
                            f'(16 with a score), got {len(fields)}')
            continue
        try:
            values = [float(v) for v in fields[1:]]
        except ValueError as e:
            problems.append(f'{where}: malformed line: {e}')
            continue
        name = fields[0]
        if name not in known:
            problems.append(f'{where}: unknown class {name!r} (known: '
                            f'{", ".join(sorted(known))})')
            continue
        if name not in classes:
            dropped[name] += 1
            continue
        box = values[3:7]
        x1, y1, x2, y2 = box
        if not (x2 > x1 and y2 > y1):
            problems.append(f'{where}: empty box {box}')
        elif image_size is not None:
            w, h = image_size
            if x1 < 0 or y1 < 0 or x2 > w or y2 > h:
                problems.append(f'{where}: box {box} outside the {w}x{h} '
                                'image')
        objects.append((name, box))
    return objects, dropped, problems


def convert(root,
            classes=DEFAULT_CLASSES,
            val_ratio=0.25,
            seed=0,
            img_ext='.png'):
    """Read and validate ``root/training`` and build the two COCO dicts.

    Args:
        root (str): KITTI object root holding ``training/label_2`` and
            ``training/image_2``.
        classes (Sequence[str]): Object types to keep, in category order.
        val_ratio (float): Share of the images put in val.
        seed (int): Seed of the split.
        img_ext (str): Image file extension.

    Returns:
        tuple: ``(train, val, stats)``, the COCO dicts and a summary.

    Raises:
        LabelError: If any label file or image is invalid.
    """
    label_dir = osp.join(root, 'training', 'label_2')
    image_dir = osp.join(root, 'training', 'image_2')
    if not osp.isdir(label_dir):
        raise LabelError([f'{label_dir}: no such directory'])
    stems = sorted(
        osp.splitext(f)[0] for f in os.listdir(label_dir)
        if f.endswith('.txt'))
    if not stems:
        raise LabelError([f'{label_dir}: no label files'])
    categories = [dict(id=i + 1, name=c) for i, c in enumerate(classes)]
    images, annotations, problems = [], [], []
    kept, dropped = Counter(), Counter()
    for stem in stems:
        label_path = osp.join(label_dir, f'{stem}.txt')
        image_path = osp.join(image_dir, stem + img_ext)
        size = None
        if not osp.isfile(image_path):
            problems.append(f'{label_path}:1: missing image {image_path}')
        else:
            with Image.open(image_path) as img:
                size = img.size
        objects, file_dropped, file_problems = parse_label_file(
            label_path, size, classes)
        problems += file_problems
        dropped += file_dropped
        if size is None:
            continue
        image_id = len(images) + 1
        images.append(
            dict(
                id=image_id,
                file_name=stem + img_ext,
                width=size[0],
                height=size[1]))
        for name, box in objects:
            kept[name] += 1
            annotations.append(
                box_annotation(
                    len(annotations) + 1, image_id,
                    classes.index(name) + 1, box))
    if problems:
        raise LabelError(problems)

    order = np.random.RandomState(seed).permutation(len(images))
    num_val = int(round(len(images) * val_ratio))
    if not 0 < num_val < len(images):
        raise LabelError([
            f'{label_dir}: {len(images)} images cannot be split with '
            f'val_ratio={val_ratio:g} into non-empty train and val sets'
        ])
    val_ids = {images[i]['id'] for i in order[:num_val]}
    splits = {}
    for split, in_val in (('train', False), ('val', True)):
        split_images = [im for im in images if (im['id'] in val_ids) == in_val]
        ids = {im['id'] for im in split_images}
        splits[split] = dict(
            images=split_images,
            annotations=[a for a in annotations if a['image_id'] in ids],
            categories=categories)
    stats = dict(kept=dict(kept), dropped=dict(dropped))
    return splits['train'], splits['val'], stats


def ratio(text):
    """argparse type: a share strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a number')
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f'must be between 0 and 1 (exclusive), got {value:g}')
    return value


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('root', help='KITTI object root (with training/)')
    parser.add_argument(
        '--out-dir',
        help='where kitti_{train,val}.json go (default: ROOT/annotations)')
    parser.add_argument(
        '--classes',
        nargs='+',
        default=list(DEFAULT_CLASSES),
        help='object types to keep, in category order (others are dropped; '
        'types that are neither KITTI types nor listed are errors)')
    parser.add_argument(
        '--val-ratio', type=ratio, default=0.25, help='share of val images')
    parser.add_argument('--seed', type=int, default=0, help='split seed')
    parser.add_argument('--img-ext', default='.png', help='image extension')
    parser.add_argument(
        '--prefix', default='kitti', help='output files PREFIX_{train,val}')
    args = parser.parse_args()
    repeated = sorted({c for c in args.classes if args.classes.count(c) > 1})
    if repeated:
        parser.error(f'--classes: {", ".join(repeated)} listed more than '
                     'once (each class is one category)')
    return args


def main():
    args = parse_args()
    try:
        train, val, stats = convert(args.root, tuple(args.classes),
                                    args.val_ratio, args.seed, args.img_ext)
    except LabelError as e:
        exit_with_problems('kitti2coco', e.problems)
    out_dir = args.out_dir or osp.join(args.root, 'annotations')
    files = {
        osp.join(out_dir, f'{args.prefix}_{split}.json'): coco
        for split, coco in (('train', train), ('val', val))
    }
    write_json_files(files)
    for path, coco in files.items():
        print(f'{path}: {len(coco["images"])} images, '
              f'{len(coco["annotations"])} objects')
    print(f'objects per class: {stats["kept"]}; dropped: {stats["dropped"]}')


if __name__ == '__main__':
    main()
