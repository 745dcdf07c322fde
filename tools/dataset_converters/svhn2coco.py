"""Convert SVHN format 1 (house-number images with per-digit boxes in
``digitStruct.mat``) to COCO json.

Each split folder (``train``, ``test``, ``extra``) holds the PNG images and
``digitStruct.mat`` (MATLAB v7.3, read with h5py). Label 10 is the digit 0;
categories are ``'0'`` ... ``'9'`` with ids 1 ... 10. Every record is
validated first and nothing is written if any problem is found: a malformed
record, an unknown label, a box outside its image or a missing image is
reported as ``digitStruct.mat:record: problem`` (records count from 1).

Example::

    python tools/dataset_converters/svhn2coco.py data/svhn \\
        --out-dir data/svhn/annotations
    # -> data/svhn/annotations/svhn_{train,test,extra}.json, image paths
    #    relative to data/svhn/ (e.g. 'train/1.png')
"""
import argparse
import math
import os.path as osp

from _coco_utils import box_annotation, exit_with_problems, write_json_files
from PIL import Image

FIELDS = ('label', 'left', 'top', 'width', 'height')
CATEGORIES = [dict(id=d + 1, name=str(d)) for d in range(10)]


def _values(f, dataset):
    """The numbers of one digitStruct field: a plain (1, 1) dataset for a
    single digit, a column of object references for several."""
    import h5py
    if h5py.check_dtype(ref=dataset.dtype) is not None:
        return [float(f[ref][()].item()) for ref in dataset[()].ravel()]
    return [float(v) for v in dataset[()].ravel()]


def read_digit_struct(path):
    """Read ``digitStruct.mat``.

    Yields:
        tuple: ``(record number, image name or None, digits or None,
        problem or None)`` with ``digits`` a dict of equal-length lists
        ``label, left, top, width, height``.
    """
    import h5py
    try:
        f = h5py.File(path, 'r')
    except OSError as e:
        yield 0, None, None, ('not a MATLAB v7.3 (HDF5) file, as SVHN '
                              f'format 1 digitStruct.mat is ({e})')
        return
    with f:
        try:
            names = f['digitStruct/name'][()].ravel()
            boxes = f['digitStruct/bbox'][()].ravel()
        except KeyError as e:
            yield 0, None, None, f'malformed file: {e}'
            return
        if len(names) != len(boxes):
            yield 0, None, None, (f'malformed file: {len(names)} names but '
                                  f'{len(boxes)} bbox records')
            return
        for i, (name_ref, box_ref) in enumerate(zip(names, boxes), 1):
            try:
                name = ''.join(chr(int(c)) for c in f[name_ref][()].ravel())
                group = f[box_ref]
                digits = {key: _values(f, group[key]) for key in FIELDS}
            except (KeyError, TypeError, ValueError) as e:
                yield i, None, None, f'malformed record: {e}'
                continue
            lengths = {key: len(v) for key, v in digits.items()}
            if len(set(lengths.values())) != 1 or not digits['label']:
                yield i, name, None, f'malformed record: field lengths ' \
                    f'{lengths}'
                continue
            yield i, name, digits, None


def convert_split(root, split, clip=False):
    """Validate one split and build its COCO dict.

    Args:
        root (str): SVHN root holding ``<split>/digitStruct.mat``.
        split (str): ``train``, ``test`` or ``extra``.
        clip (bool): Clip boxes that stick out of their image instead of
            reporting them (boxes entirely outside are still errors).

    Returns:
        tuple: ``(coco dict, number of clipped boxes, problems)``.
    """
    mat = osp.join(root, split, 'digitStruct.mat')
    if not osp.isfile(mat):
        return None, 0, [f'{mat}: missing']
    images, annotations, problems = [], [], []
    clipped = 0
    for record, name, digits, problem in read_digit_struct(mat):
        where = f'{mat}:{record}'
        if problem is not None:
            problems.append(f'{where}: {problem}')
            continue
        image_path = osp.join(root, split, name)
        if not osp.isfile(image_path):
            problems.append(f'{where}: missing image {image_path}')
            continue
        with Image.open(image_path) as img:
            width, height = img.size
        image_id = len(images) + 1
        images.append(
            dict(
                id=image_id,
                file_name=f'{split}/{name}',
                width=width,
                height=height))
        for j, (label, x, y, w,
                h) in enumerate(zip(*(digits[key] for key in FIELDS)), 1):
            at = f'{where}: {name} digit {j}:'
            if label not in range(1, 11):
                problems.append(f'{at} unknown class label {label:g} '
                                '(expected 1-10)')
                continue
            if not all(map(math.isfinite, (x, y, w, h))) or w <= 0 or h <= 0:
                problems.append(f'{at} malformed box {[x, y, w, h]}')
                continue
            x1, y1 = max(x, 0), max(y, 0)
            x2, y2 = min(x + w, width), min(y + h, height)
            if (x1, y1, x2, y2) != (x, y, x + w, y + h):
                if not clip or x2 <= x1 or y2 <= y1:
                    problems.append(
                        f'{at} box [left {x:g}, top {y:g}, width {w:g}, '
                        f'height {h:g}] outside the {width}x{height} image')
                    continue
                clipped += 1
            annotations.append(
                box_annotation(
                    len(annotations) + 1, image_id,
                    int(label) % 10 + 1, (x1, y1, x2, y2)))
    coco = dict(images=images, annotations=annotations, categories=CATEGORIES)
    return coco, clipped, problems


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('root', help='SVHN root with train/, test/, extra/')
    parser.add_argument(
        '--splits',
        nargs='+',
        default=['train', 'test'],
        help='split folders to convert')
    parser.add_argument(
        '--out-dir',
        help='where svhn_<split>.json go (default: ROOT/annotations)')
    parser.add_argument(
        '--clip',
        action='store_true',
        help='clip boxes that stick out of their image instead of failing')
    return parser.parse_args()


def main():
    args = parse_args()
    results, problems = {}, []
    for split in args.splits:
        coco, clipped, split_problems = convert_split(args.root, split,
                                                      args.clip)
        problems += split_problems
        results[split] = (coco, clipped)
    if problems:
        exit_with_problems('svhn2coco', problems)
    out_dir = args.out_dir or osp.join(args.root, 'annotations')
    files = {
        osp.join(out_dir, f'svhn_{split}.json'): coco
        for split, (coco, _) in results.items()
    }
    write_json_files(files)
    for split, (coco, clipped) in results.items():
        print(f'{split}: {len(coco["images"])} images, '
              f'{len(coco["annotations"])} digits, {clipped} boxes clipped')


if __name__ == '__main__':
    main()
