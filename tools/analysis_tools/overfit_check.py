"""Overfit check: train a detection config on N images and evaluate it on
the same N images.

The first thing to run when a new data set, backbone or recipe does not
learn: a pipeline that is right reaches a high mAP50 on a handful of
training images within a few hundred iterations; if it does not, the bug is
in the data, the model or the recipe, not in the amount of training.

The N images (the first N with annotations, by image id) are written to a
COCO json of their own under the work dir, which both the training set and
``CocoMetric`` read: mmdet's ``CocoMetric`` scores every image of its
``ann_file``, so evaluating a subset against the full json would count the
other images' boxes as misses.

Example::

    python tools/analysis_tools/overfit_check.py \\
        configs/mask_rcnn/mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py \\
        --num-images 8 --iters 300
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

import mmrelvit  # noqa: F401  (weights_only allow-list for checkpoints)

BBOX50 = 'coco/bbox_mAP_50'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='detection config (COCO json data)')
    parser.add_argument('--num-images', type=int, default=8)
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument(
        '--work-dir', help='default: work_dirs/overfit_<config name>')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings (key=value), as in tools/train.py')
    args = parser.parse_args(argv)
    for name in ('num_images', 'iters'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive, got '
                         f'{getattr(args, name)}')
    return args


def _inner(dataset_cfg):
    """The dataset under wrappers such as RepeatDataset."""
    while 'dataset' in dataset_cfg:
        dataset_cfg = dataset_cfg.dataset
    return dataset_cfg


def write_subset(ann_file: str, num_images: int, out_file: str) -> list:
    """Write the first ``num_images`` annotated images of a COCO json (by
    image id) to ``out_file``; return their ids."""
    try:
        with open(ann_file) as f:
            coco = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f'{ann_file}: cannot read a COCO json ({e})')
    annotated = {a['image_id'] for a in coco.get('annotations', [])}
    images = sorted(
        (im for im in coco.get('images', []) if im['id'] in annotated),
        key=lambda im: im['id'])[:num_images]
    if len(images) < num_images:
        raise SystemExit(f'{ann_file}: {len(images)} annotated image(s), '
                         f'--num-images {num_images} asked')
    ids = {im['id'] for im in images}
    subset = dict(
        coco,
        images=images,
        annotations=[a for a in coco['annotations'] if a['image_id'] in ids])
    with open(out_file, 'w') as f:
        json.dump(subset, f)
    return sorted(ids)


def overfit_config(cfg: Config, ann_file: str, iters: int,
                   work_dir: str) -> Config:
    """Train and evaluate ``cfg`` on the images of ``ann_file`` only, for
    ``iters`` iterations at the config's lr after a short warm-up."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    train = _inner(cfg.train_dataloader.dataset)
    train.ann_file = ann_file
    train.pop('indices', None)
    val = copy.deepcopy(train)
    val.pipeline = _inner(cfg.val_dataloader.dataset).pipeline
    val.test_mode = True
    val.pop('filter_cfg', None)
    cfg.train_dataloader.dataset = train
    # a few images make an epoch of one or two batches: sample endlessly
    # instead of restarting the loader (and its workers) every iteration
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    cfg.val_dataloader = dict(
        cfg.val_dataloader,
        dataset=val,
        sampler=dict(type='DefaultSampler', shuffle=False))
    cfg.val_evaluator = dict(
        type='CocoMetric', ann_file=ann_file, metric='bbox')
    cfg.pop('test_dataloader', None)
    cfg.pop('test_evaluator', None)
    cfg.pop('test_cfg', None)
    # validation runs once, by main(), after training
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
    cfg.param_scheduler = [
        dict(
            type='LinearLR',
            start_factor=0.001,
            by_epoch=False,
            begin=0,
            end=max(1, min(100, iters // 5)))
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=iters)
    cfg.log_processor = dict(by_epoch=False)
    return cfg


def run(cfg: Config, num_images: int, iters: int, work_dir: str) -> dict:
    """Overfit check; returns the metrics of the final evaluation."""
    from mmengine.runner import Runner
    train = _inner(cfg.train_dataloader.dataset)
    ann_file = osp.join(train.get('data_root') or '', train.ann_file)
    if not ann_file.endswith('.json'):
        raise SystemExit(f'{ann_file}: the overfit check reads COCO json '
                         'annotations (convert VOC / KITTI with the '
                         'converters in tools/dataset_converters)')
    os.makedirs(work_dir, exist_ok=True)
    subset = osp.abspath(osp.join(work_dir, 'overfit_ann.json'))
    write_subset(ann_file, num_images, subset)
    runner = Runner.from_cfg(overfit_config(cfg, subset, iters, work_dir))
    runner.train()
    return runner.val_loop.run()


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'overfit_' + osp.splitext(osp.basename(args.config))[0])
    metrics = run(cfg, args.num_images, args.iters, work_dir)
    if BBOX50 not in metrics:
        sys.exit(f'no {BBOX50} in the metrics: {sorted(metrics)}')
    print(f'overfit check: {args.num_images} image(s), {args.iters} '
          f'iterations, evaluated on the same images: bbox mAP50 = '
          f'{metrics[BBOX50]:.3f}, bbox mAP = '
          f'{metrics["coco/bbox_mAP"]:.3f}')


if __name__ == '__main__':
    main()
