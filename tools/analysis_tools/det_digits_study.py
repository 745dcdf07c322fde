"""Detection evidence on the embedded digit scenes: Mask R-CNN with a
supervised-pretrained, a RelViT-pretrained and a jointly SSL-trained ViT.

For every seed it pretrains the digits ViT twice through ``tools/train.py``
(the supervised classifier ``configs/vit/vit-tiny-p4_1xb64-30e_digits.py``
and the RelViT upstream ``configs/relvit/relvit_vit-tiny-p4_1xb64-30e_digits
.py``), then trains the three Mask R-CNN arms of ``configs/mask_rcnn``
(``*_digits-det.py``) from those checkpoints and reads ``coco/bbox_mAP`` and
``coco/segm_mAP`` of the final evaluation from mmengine's ``scalars.json``.

============  =============================================  =============
arm           detector config                                backbone from
============  =============================================  =============
supervised    mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det   supervised
relvit-pre    mask-rcnn_vit-tiny-p4-relvit-pre_fpn_...       RelViT SSL
relvit-joint  mask-rcnn_vit-tiny-p4-relvit-joint_fpn_...     supervised,
                                                             + joint SSL
============  =============================================  =============

The arms share the detector, data, schedule and seed; the generated
config of each run (``<work-dir>/<arm>/seed<k>/config.py``) only sets the
epochs, the data root, the seed and the pretrained checkpoint of that seed.
Writes the mAP table (``<out-dir>/det_digits_table.md``) and the
``det_digits_study`` section of ``--doc`` (docs/small_data.md). The digit
data are generated first if missing. The scenes default to those of the
configs: 64x64 grey digits of 20-40 px on black (``--scene-size``,
``--background``, ``--digit-size``), the look and size of the 32x32
pretraining images; textured scenes are a domain shift that the pretrained
backbones do not bridge in a CPU-sized schedule.

Example::

    python tools/analysis_tools/det_digits_study.py --seeds 0 1 2 \\
        --epochs 8 --jobs 2 --threads 1
"""
import argparse
import os
import os.path as osp
import time

import numpy as np

# the run/report machinery of the sibling tool (tools/ is not a package)
from mmrelvit.analysis import (Run, StudyRunner, command_line, print_missing,
                               provenance, run_status, update_doc)
from mmrelvit.analysis.tables import detection_rows, detection_table

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

BBOX, SEGM, BBOX50 = 'coco/bbox_mAP', 'coco/segm_mAP', 'coco/bbox_mAP_50'
METRICS = dict(bbox=BBOX, segm=SEGM, bbox50=BBOX50)
DET_DIR = osp.join(REPO, 'configs', 'mask_rcnn')
# name -> (title, detector config, pretraining run)
ARMS = {
    'supervised':
    ('Supervised-pretrained',
     'mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py', 'pre-supervised'),
    'relvit-pre':
    ('RelViT-pretrained (SSL upstream)',
     'mask-rcnn_vit-tiny-p4-relvit-pre_fpn_1xb8-8e_digits-det.py',
     'pre-relvit'),
    'relvit-joint':
    ('Supervised-pretrained + joint RelViT SSL',
     'mask-rcnn_vit-tiny-p4-relvit-joint_fpn_1xb8-8e_digits-det.py',
     'pre-supervised'),
}
# name -> (classification config, whether it has a validation loop)
PRETRAIN = {
    'pre-supervised': ('configs/vit/vit-tiny-p4_1xb64-30e_digits.py', True),
    'pre-relvit':
    ('configs/relvit/relvit_vit-tiny-p4_1xb64-30e_digits.py', False),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Mask R-CNN on the digit scenes from supervised, RelViT '
        'and joint-SSL ViT backbones.')
    parser.add_argument(
        '--arms', nargs='+', default=list(ARMS), choices=list(ARMS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument(
        '--epochs',
        type=int,
        default=8,
        help='detector epochs (the digits recipe: 8)')
    parser.add_argument(
        '--pretrain-epochs',
        type=int,
        default=30,
        help='epochs of the classification / SSL pretraining')
    parser.add_argument(
        '--shared-pretrain',
        action='store_true',
        help='pretrain once (seed 0) for all seeds instead of once per '
        'seed')
    parser.add_argument(
        '--pretrained',
        action='append',
        default=[],
        metavar='NAME=CHECKPOINT',
        help='reuse an existing pretraining instead of training it; NAME '
        f'is one of {list(PRETRAIN)}; a CHECKPOINT with "{{seed}}" names one '
        'checkpoint per seed (e.g. the converged runs of the digits study: '
        'pre-supervised=docs/small_data_runs/digits/supervised/seed{seed}/'
        'epoch_100.pth), without it one checkpoint serves every seed')
    parser.add_argument(
        '--val-interval',
        type=int,
        default=1,
        help='evaluate the detector every N epochs (the convergence check '
        'reads the evaluations of the last 20 %% of the epochs)')
    parser.add_argument(
        '--train-scenes',
        type=int,
        default=None,
        help='use the first N training scenes (default: all)')
    parser.add_argument(
        '--scene-size',
        type=int,
        default=64,
        help='side of the detection scenes (the configs use 64)')
    parser.add_argument(
        '--digit-size',
        type=int,
        nargs=2,
        default=[20, 40],
        metavar=('MIN', 'MAX'),
        help='side range of the pasted digits (32 px in pretraining)')
    parser.add_argument(
        '--max-digits', type=int, default=3, help='digits per scene, at most')
    parser.add_argument(
        '--background',
        default='plain',
        choices=['plain', 'textured'],
        help='plain: grey digits on black as in pretraining; textured: the '
        'scenes of the configs (a domain shift the pretrained backbones do '
        'not bridge in a CPU-sized schedule)')
    parser.add_argument(
        '--data-root',
        default='data/digits',
        help='root of the digits data: cls/ from make_digits.py, and the '
        'scenes in det-<size>px-<background>-<min>-<max>x<digits>/')
    parser.add_argument('--work-dir', default='work_dirs/det_digits')
    parser.add_argument('--out-dir', default='docs')
    parser.add_argument(
        '--doc', default='docs/small_data.md', help='"none" to skip')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument(
        '--workers', type=int, default=0, help='dataloader workers per run')
    parser.add_argument('--force', action='store_true')
    parser.add_argument(
        '--report-only',
        action='store_true',
        help='train nothing: tabulate the finished runs of a study under '
        'way and list the missing ones')
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='write the generated configs and print the plan, train nothing')
    args = parser.parse_args(argv)
    for name in ('epochs', 'pretrain_epochs', 'jobs', 'threads', 'max_digits',
                 'val_interval'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    low, high = args.digit_size
    if not 8 <= low <= high <= args.scene_size:
        parser.error(f'--digit-size {low} {high}: need 8 <= MIN <= MAX <= '
                     f'--scene-size ({args.scene_size})')
    args.data_root = osp.abspath(args.data_root)
    args.det_root = osp.join(
        args.data_root, f'det-{args.scene_size}px-{args.background}-'
        f'{low}-{high}x{args.max_digits}')
    given = {}
    for item in args.pretrained:
        name, sep, path = item.partition('=')
        if not sep or name not in PRETRAIN:
            parser.error(f'--pretrained {item!r}: expected NAME=CHECKPOINT '
                         f'with NAME in {list(PRETRAIN)}')
        seeds = [0] if args.shared_pretrain else args.seeds
        try:
            paths = [path.format(seed=seed) for seed in seeds]
        except (KeyError, IndexError, ValueError) as err:
            parser.error(f'--pretrained {item!r}: only {{seed}} may be '
                         f'substituted ({err!r})')
        missing = [p for p in paths if not osp.isfile(p)]
        if missing:
            parser.error(f'--pretrained {item!r}: no file {missing[0]}')
        given[name] = osp.abspath(path)
    args.pretrained = given
    return args


class GivenPretrain:
    """A pretraining checkpoint given with ``--pretrained``: the arms that
    start from it do not wait for any run."""
    is_upstream = True

    def __init__(self, name: str, checkpoint: str, seed: int):
        self.name = name
        self.key = f'{name}/seed{seed}/given'
        self.checkpoint = checkpoint.format(seed=seed)


def plan_runs(args) -> list:
    runs, pretrain = [], {}
    for seed in args.seeds:
        pre_seed = 0 if args.shared_pretrain else seed
        for arm in args.arms:
            title, config, pre_name = ARMS[arm]
            pre = pretrain.get((pre_name, pre_seed))
            if pre is None:
                if pre_name in args.pretrained:
                    pre = GivenPretrain(pre_name, args.pretrained[pre_name],
                                        pre_seed)
                else:
                    pre = Run(
                        pre_name,
                        pre_seed,
                        osp.join(REPO, PRETRAIN[pre_name][0]),
                        args.pretrain_epochs,
                        is_upstream=True)
                    runs.append(pre)
                pretrain[pre_name, pre_seed] = pre
            runs.append(
                Run(arm,
                    seed,
                    osp.join(DET_DIR, config),
                    args.epochs,
                    upstream=pre))
    for run in runs:
        run.work_dir = osp.abspath(
            osp.join(args.work_dir, run.name, f'seed{run.seed}'))
    return runs


def loader_cfg(args, root: str, **dataset) -> str:
    persistent = args.workers > 0
    fields = ', '.join([f'data_root={root!r}'] +
                       [f'{k}={v!r}' for k, v in dataset.items()])
    return (f'dict(num_workers={args.workers}, '
            f'persistent_workers={persistent}, dataset=dict({fields}))')


def config_text(run: Run, args) -> str:
    e = run.epochs
    lines = [
        f'# generated by {osp.relpath(__file__, REPO)}',
        f'_base_ = [{run.config!r}]',
        f'randomness = dict(seed={run.seed})',
        'default_hooks = dict(checkpoint=dict(interval='
        f'{e}, max_keep_ckpts=1))',
    ]
    if run.is_upstream:
        root = osp.join(args.data_root, 'cls') + '/'
        # the cosine ends at max_epochs (mmengine's default `end`); the
        # linear warm-up keeps its 3 epochs
        lines += [
            f'train_cfg = dict(max_epochs={e})',
            f'train_dataloader = {loader_cfg(args, root)}',
        ]
        if PRETRAIN[run.name][1]:
            lines += [
                f'val_dataloader = {loader_cfg(args, root)}',
                'test_dataloader = val_dataloader',
            ]
        return '\n'.join(lines) + '\n'

    root = args.det_root + '/'
    size = args.scene_size
    subset = {} if args.train_scenes is None else dict(
        indices=args.train_scenes)
    # the scenes are generated at the input size: Resize only records
    # scale_factor
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='Resize', scale=(size, size), keep_ratio=True),
        dict(type='PackDetInputs')
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(size, size), keep_ratio=True),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(
            type='PackDetInputs',
            meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                       'scale_factor'))
    ]
    milestones = [round(5 * e / 8), round(7 * e / 8)]
    ann = osp.join(root, 'annotations', 'instances_val.json')
    lines += [
        f'train_cfg = dict(max_epochs={e}, '
        f'val_interval={min(args.val_interval, e)})',
        # the digits recipe scaled to the epochs: lr x0.1 at 5/8 and 7/8
        'param_scheduler = [dict(type="LinearLR", start_factor=0.001, '
        'by_epoch=False, begin=0, end=100), dict(type="MultiStepLR", '
        f'begin=0, end={e}, by_epoch=True, milestones={milestones}, '
        'gamma=0.1)]',
        'train_dataloader = ' +
        loader_cfg(args, root, pipeline=train_pipeline, **subset),
        'val_dataloader = ' + loader_cfg(args, root, pipeline=test_pipeline),
        'test_dataloader = val_dataloader',
        f'val_evaluator = dict(ann_file={ann!r})',
        'test_evaluator = val_evaluator',
        f'model = dict(backbone=dict(img_size={size}, init_cfg=dict('
        f'checkpoint={run.upstream.checkpoint!r})))',
    ]
    return '\n'.join(lines) + '\n'


def ensure_data(args) -> None:
    from mmrelvit.datasets.digits import write_classification
    from mmrelvit.datasets.digits_detection import write_detection

    # both are no-ops when the data exist with these parameters
    write_classification(osp.join(args.data_root, 'cls'))
    write_detection(
        args.det_root,
        size=args.scene_size,
        max_digits=args.max_digits,
        scale_range=tuple(args.digit_size),
        background=args.background)


def aggregate(results: dict, arms) -> list:
    return detection_rows(results, {arm: ARMS[arm][0]
                                    for arm in arms}, METRICS)


format_table = detection_table


def make_runner(args, runs) -> StudyRunner:
    """The runner of the study's runs (their settings, training, reuse)."""
    return StudyRunner(
        runs,
        lambda run: config_text(run, args),
        REPO,
        jobs=args.jobs,
        threads=args.threads,
        force=args.force,
        metrics=('accuracy/top1', BBOX, SEGM, BBOX50),
        summary=lambda r: (f'box mAP {100 * r["val"][BBOX][-1]:.2f}'
                           if not np.isnan(r['val'][BBOX][-1]) else
                           f'top-1 {r["val"]["accuracy/top1"][-1]:.2f}'),
        report_only=args.report_only)


def main(argv=None):
    args = parse_args(argv)
    command = command_line(__file__, REPO, argv)
    runs = plan_runs(args)
    n_pre = sum(r.is_upstream for r in runs)
    pre = (f'pretraining {args.pretrain_epochs} epochs'
           if n_pre else 'given backbones')
    print(
        f'{len(runs)} runs ({n_pre} pretraining): arms {args.arms}, seeds '
        f'{args.seeds}, detector {args.epochs} epochs, {pre}; {args.jobs} '
        f'parallel job(s) x {args.threads} thread(s)',
        flush=True)
    if args.dry_run:
        for run in runs:
            os.makedirs(run.work_dir, exist_ok=True)
            path = osp.join(run.work_dir, 'config.py')
            with open(path, 'w') as f:
                f.write(config_text(run, args))
            print(f'  {run.key}: {path}')
        return runs
    if not args.report_only:
        ensure_data(args)
    start = time.time()
    runner = make_runner(args, runs)
    results = runner.execute()
    wall = time.time() - start
    rows = aggregate({
        k: v
        for k, v in results.items() if v['arm'] in ARMS
    }, args.arms)
    if not rows:
        raise SystemExit(f'no detector finished; failed: {runner.failed}')
    table = format_table(rows)
    os.makedirs(args.out_dir, exist_ok=True)
    table_md = osp.join(args.out_dir, 'det_digits_table.md')
    with open(table_md, 'w') as f:
        f.write(table + '\n')
    print('\n' + table + '\n')
    print_missing(runner)
    print(f'study wall time {wall / 60:.1f} min; table {table_md}')
    if args.doc != 'none':
        pre = ('pretrained once (seed 0)'
               if args.shared_pretrain else 'pretrained once per seed')
        pre += f' for {args.pretrain_epochs} epoch(s)'
        if args.pretrained:
            given = ', '.join(f'{k}: `{osp.relpath(v, REPO)}`'
                              for k, v in args.pretrained.items())
            rest = ('' if len(args.pretrained) == len(PRETRAIN) else
                    f', otherwise {pre}')
            pre = f'pretrained by given checkpoints ({given}){rest}'
        block = '\n'.join([
            provenance(runner, wall, results), '', '```shell', command, '```',
            '', f'Mask R-CNN + FPN, digits ViT (96-d, 4 layers, patch 4) '
            f'on {args.scene_size}x{args.scene_size} {args.background} '
            f'scenes of 1-{args.max_digits} digits '
            f'({args.digit_size[0]}-{args.digit_size[1]} px), '
            f'{pre}, detector '
            f'{args.epochs} epoch(s); COCO mAP (x100) on the validation '
            f'scenes after the last epoch, mean +- sample std over seeds '
            f'{args.seeds}; converged: `mmrelvit.analysis.convergence` on '
            f'the box mAP curve (evaluated every {args.val_interval} '
            'epoch(s)): within 0.5 points over the last 20 % of the '
            'epochs, and a mean training loss that fell less than 5 % from '
            'the 20 % before.', '', table
        ]) + run_status(runner)
        update_doc(args.doc, block, marker='det_digits_study')
        print(f'updated {args.doc}')
    if runner.failed:
        raise SystemExit(f'failed runs: {runner.failed}')


if __name__ == '__main__':
    main()
