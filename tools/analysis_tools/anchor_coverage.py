"""Check that a detection config's RPN anchors fit its training boxes.

Prints the distribution of each ground-truth box's best IoU with any anchor
and exits with 1 when a box stays below ``--min-iou`` (such a box gets no
RPN positive, or only a poor one, and is rarely proposed).

Example::

    python tools/analysis_tools/anchor_coverage.py \\
        configs/mask_rcnn/mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config

from mmrelvit.det.anchor_coverage import coco_anchor_coverage


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='detection config')
    parser.add_argument(
        '--ann-file',
        help='COCO json (default: the config\'s training annotations)')
    parser.add_argument(
        '--min-iou',
        type=float,
        default=0.5,
        help='every box needs an anchor with at least this IoU')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    try:
        generator = cfg.model.rpn_head.anchor_generator
    except AttributeError:
        sys.exit(f'{args.config}: model.rpn_head.anchor_generator not found '
                 '(an anchor-based two-stage detector is needed)')
    ann_file = args.ann_file
    if ann_file is None:
        dataset = cfg.train_dataloader.dataset
        dataset = dataset.get('dataset', dataset)  # RepeatDataset & co
        ann_file = osp.join(dataset.get('data_root', ''), dataset.ann_file)
    if not osp.isfile(ann_file):
        sys.exit(f'{ann_file}: annotation file not found (generate the data '
                 'or pass --ann-file)')
    stats = coco_anchor_coverage(generator, ann_file)
    print(f'{ann_file}: {stats["num_boxes"]} boxes; best anchor IoU median '
          f'{stats["median"]:.3f}, min {stats["min"]:.3f}; ' +
          ', '.join(f'>= {t}: {100 * f:.1f} %'
                    for t, f in stats['frac_ge'].items()))
    below = int((stats['ious'] < args.min_iou).sum())
    if below:
        print(f'{below} box(es) have no anchor with IoU >= {args.min_iou}: '
              'adapt anchor_generator scales / ratios to the object sizes')
        sys.exit(1)


if __name__ == '__main__':
    main()
