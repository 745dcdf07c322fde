"""Generate the embedded digits data (scikit-learn's real handwritten
digits) in the on-disk formats mmrelvit's configs read.

Example::

    python tools/dataset_converters/make_digits.py --out data/digits
"""
import argparse
import os.path as osp

from mmrelvit.datasets.digits import write_classification


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--out', default='data/digits', help='root of the generated data')
    parser.add_argument(
        '--tasks',
        nargs='+',
        default=['cls'],
        choices=['cls'],
        help='formats to write: cls = mmpretrain CustomDataset tree')
    parser.add_argument(
        '--size', type=int, default=32, help='classification image side')
    parser.add_argument('--seed', type=int, default=0, help='split seed')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='regenerate data written with other parameters')
    return parser.parse_args()


def main():
    args = parse_args()
    if 'cls' in args.tasks:
        out = write_classification(
            osp.join(args.out, 'cls'),
            size=args.size,
            seed=args.seed,
            overwrite=args.overwrite)
        print(f'classification set: {out}')


if __name__ == '__main__':
    main()
