"""Verify that the environment holds every pinned requirement and that the
compiled pieces (mmcv ops, torchvision ops) import and run.

Exits non-zero with one line per problem; prints a one-line summary
otherwise.
"""
import argparse
import glob
import os.path as osp
import sys
from importlib.metadata import PackageNotFoundError, version


def pinned(path):
    with open(path) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if '==' in line:
                name, want = line.split('==')
                yield name.strip(), want.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--requirements', required=True)
    parser.add_argument(
        '--skip', nargs='*', default=[], help='requirement files to skip')
    args = parser.parse_args()

    problems = []
    for path in sorted(glob.glob(osp.join(args.requirements, '*.txt'))):
        if osp.basename(path) in args.skip:
            continue
        for name, want in pinned(path):
            try:
                have = version(name)
            except PackageNotFoundError:
                problems.append(f'{osp.basename(path)}: {name}=={want} '
                                'is not installed')
                continue
            # A local build label (2.13.0+cu130) satisfies a bare pin.
            if have.split('+')[0] != want:
                problems.append(f'{osp.basename(path)}: {name}=={want} '
                                f'required, {have} installed')

    try:
        import torch
        import torchvision.ops
        from mmcv.ops import RoIAlign, nms
        boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
        scores = torch.tensor([0.9, 0.8])
        nms(boxes, scores, 0.5)
        torchvision.ops.nms(boxes, scores, 0.5)
        RoIAlign((2, 2), 1.0)(torch.rand(1, 1, 8, 8),
                              torch.tensor([[0., 0., 0., 4., 4.]]))
        import mmdet.models  # noqa: F401
        import mmpretrain.models  # noqa: F401
        import mmseg.models  # noqa: F401
    except Exception as e:  # report, do not hide, whatever broke
        problems.append(f'stack import/ops check failed: {e!r}')

    if problems:
        print('environment check FAILED:', *problems, sep='\n  ')
        sys.exit(1)
    print(f'environment OK: torch {torch.__version__}, '
          f'mmcv {version("mmcv")} with ops, mmdet {version("mmdet")}, '
          f'mmseg {version("mmsegmentation")}, '
          f'mmpretrain {version("mmpretrain")}')


if __name__ == '__main__':
    main()
