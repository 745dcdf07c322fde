"""Generate the embedded digits data (scikit-learn's real handwritten
digits) in the on-disk formats mmrelvit's configs read.

Example::

    python tools/dataset_converters/make_digits.py --out data/digits
"""
import argparse
import os.path as osp

from mmrelvit.datasets.digits import write_classification
from mmrelvit.datasets.digits_detection import write_detection
from mmrelvit.datasets.digits_segmentation import write_segmentation


def positive_int(text):
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not an integer')
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def validate_args(parser, args):
    """Refuse option combinations the scene writers cannot honour (they
    would fail deep in numpy, e.g. ``low >= high``), before anything is
    written."""
    low, high = args.det_digit_size
    if low > high:
        parser.error(f'--det-digit-size: MIN {low} is larger than MAX {high}')
    if 'det' in args.tasks and high > args.det_size:
        parser.error(f'--det-digit-size: MAX {high} does not fit in a '
                     f'--det-size {args.det_size} scene')
    return args


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--out', default='data/digits', help='root of the generated data')
    parser.add_argument(
        '--tasks',
        nargs='+',
        default=['cls'],
        choices=['cls', 'det', 'seg'],
        help='formats to write: seg = ADE20K-layout scenes (<out>/seg), '
        'det = detection scenes as COCO json, VOC xml and KITTI txt '
        '(<out>/det), cls = mmpretrain CustomDataset tree')
    parser.add_argument(
        '--size',
        type=positive_int,
        default=32,
        help='classification image side')
    parser.add_argument(
        '--seg-scenes',
        type=positive_int,
        nargs=2,
        default=[1000, 200],
        metavar=('TRAIN', 'VAL'),
        help='number of training and validation segmentation scenes')
    parser.add_argument(
        '--det-scenes',
        type=positive_int,
        nargs=2,
        default=[1000, 200],
        metavar=('TRAIN', 'VAL'),
        help='number of training and validation detection scenes')
    parser.add_argument(
        '--det-size',
        type=positive_int,
        default=64,
        help='detection scene side')
    parser.add_argument(
        '--det-digit-size',
        type=positive_int,
        nargs=2,
        default=[20, 40],
        metavar=('MIN', 'MAX'),
        help='side range of a digit pasted into a detection scene (the '
        'backbones are pretrained on 32 px digits)')
    parser.add_argument(
        '--det-max-digits',
        type=positive_int,
        default=3,
        help='at most this many digits per detection scene')
    parser.add_argument(
        '--det-background',
        default='plain',
        choices=['textured', 'plain'],
        help='detection scenes: tinted digits on textured backgrounds, or '
        'grey digits on black (the look of the classification images)')
    parser.add_argument('--seed', type=int, default=0, help='split seed')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='regenerate data written with other parameters')
    return validate_args(parser, parser.parse_args())


def main():
    args = parse_args()
    if 'cls' in args.tasks:
        out = write_classification(
            osp.join(args.out, 'cls'),
            size=args.size,
            seed=args.seed,
            overwrite=args.overwrite)
        print(f'classification set: {out}')
    if 'det' in args.tasks:
        out = write_detection(
            osp.join(args.out, 'det'),
            num_train=args.det_scenes[0],
            num_val=args.det_scenes[1],
            size=args.det_size,
            max_digits=args.det_max_digits,
            scale_range=tuple(args.det_digit_size),
            background=args.det_background,
            seed=args.seed,
            overwrite=args.overwrite)
        print(f'detection scenes: {out}')
    if 'seg' in args.tasks:
        out = write_segmentation(
            osp.join(args.out, 'seg'),
            num_train=args.seg_scenes[0],
            num_val=args.seg_scenes[1],
            seed=args.seed,
            overwrite=args.overwrite)
        print(f'segmentation set (ADE20K layout): {out}')


if __name__ == '__main__':
    main()
