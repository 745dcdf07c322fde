"""Small-data study: supervised ViT vs DrLoc vs RelViT on few images.

Trains the arms of a data set (``--dataset fmnist``: the tiny ViT of
``configs/small_data`` on a class-balanced Fashion-MNIST subset of
``--num-train`` images, tested on all 10,000 test images; ``--dataset
digits``: the digits ViT of ``configs/vit`` on scikit-learn's handwritten
digits), each with several seeds, through the real ``tools/train.py`` (one
process per run). After each run ``tools/test.py`` measures the final
model's top-1 on its own training images (the overfitting gap). Writes

- ``<out-dir>/<name>_table.md``: top-1 mean +- std per arm, training
  accuracy, convergence (``mmrelvit.analysis.convergence``);
- ``<out-dir>/<name>_curves.png``: test top-1 per epoch (mean, +-std);
- ``<work-dir>/results.json``: every run's curves and metrics;
- the same table, the plot link and the exact command between the
  ``--marker`` markers of ``--doc``.

Arms (``--arms``): ``supervised``, ``drloc``, ``relvit-joint`` (SpRel +
AbsPos), ``supervised-nopos`` and ``relvit-joint-nopos`` (no positional
embedding), ``relvit-finetune`` (an upstream of ``--upstream-epochs``, then
``--epochs`` of finetuning: the papers' protocol when both are equal) and
``relvit-finetune-matched`` (upstream and finetune of half of ``--epochs``
each: the same total training as the supervised arm). Every arm shares the
model, data, augmentation and schedule; the generated config
(``<work-dir>/<arm>/seed<k>/config.py``) only sets the epochs, data, seed
and, for a finetune arm, the upstream checkpoint of the same seed.

``--sweep CELL ...`` (each ``KEY=V[,KEY=V...]``, keys ``lr``,
``weight_decay``, ``warmup``, ``epochs``) instead trains the supervised arm
once per cell, the recipe search of docs/small_data.md; only values that
differ from the config are passed on (``--cfg-options`` of
``tools/train.py``). Cells can be added to a finished sweep: only the new
ones train. ``--recipe KEY=V[,KEY=V]`` (keys ``lr``, ``weight_decay``,
``warmup``) puts every run of a study, upstreams included, on the recipe a
sweep chose.

Finished runs are reused (``result.json`` of the same generated config), so
an interrupted study continues where it stopped; ``--force`` retrains.

Example (the 1,000-image study of docs/small_data.md)::

    python tools/analysis_tools/small_data_study.py --num-train 1000 \\
        --epochs 200 --seeds 0 1 2 --arms supervised drloc relvit-joint \\
        --jobs 2 --threads 1
"""
import argparse
import json
import os
import os.path as osp
import time

from mmrelvit.analysis import (TOP1, Run, StudyRunner, command_line,
                               plot_curves, print_missing, provenance,
                               run_status, test_checkpoint, update_doc)
from mmrelvit.analysis.sweep import SWEEP_KEYS, cell_settings, parse_cells
from mmrelvit.analysis.tables import (classification_rows,
                                      classification_table, sweep_table)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NOPOS = 'model = dict(backbone=dict(use_pos_embed=False))'
FINETUNE = 'RelViT upstream -> finetune'


def _fmnist(name):
    return osp.join(REPO, 'configs', 'small_data', f'{name}_1xb64_fmnist2k.py')


def _digits(path):
    return osp.join(REPO, 'configs', path + '_1xb64-30e_digits.py')


# data set -> default data root, upstream config and arms:
# name -> (title, config, upstream name or None, extra config lines)
DATASETS = {
    'fmnist':
    dict(
        title='Fashion-MNIST',
        data_root='/usr/share/datasets/fashion-mnist',
        upstream=_fmnist('vit-tiny-p4-relvit-upstream'),
        arms={
            'supervised': ('Supervised baseline', _fmnist('vit-tiny-p4')),
            'drloc': ('+ DrLoc (joint)', _fmnist('vit-tiny-p4-drloc')),
            'relvit-joint': ('RelViT joint (SpRel + AbsPos)',
                             _fmnist('vit-tiny-p4-relvit-joint')),
            'supervised-nopos': ('Supervised, no positional embedding',
                                 _fmnist('vit-tiny-p4-nopos')),
            'relvit-joint-nopos': ('RelViT joint, no positional embedding',
                                   _fmnist('vit-tiny-p4-relvit-joint-nopos')),
            'relvit-finetune':
            (FINETUNE + " (papers' protocol: upstream, then as long)",
             _fmnist('vit-tiny-p4-relvit-finetune'), 'relvit-upstream'),
            'relvit-finetune-matched':
            (FINETUNE + ', same total epochs',
             _fmnist('vit-tiny-p4-relvit-finetune'), 'relvit-upstream-half'),
        }),
    'digits':
    dict(
        title='digits',
        data_root=osp.join(REPO, 'data', 'digits', 'cls'),
        upstream=_digits('relvit/relvit_vit-tiny-p4'),
        arms={
            'supervised': ('Supervised baseline', _digits('vit/vit-tiny-p4')),
            'drloc': ('+ DrLoc (joint)', _digits('drloc/drloc_vit-tiny-p4')),
            'relvit-joint': ('RelViT joint (SpRel + AbsPos)',
                             _digits('relvit/relvit-joint_vit-tiny-p4')),
            'supervised-nopos': ('Supervised, no positional embedding',
                                 _digits('vit/vit-tiny-p4'), None, (NOPOS, )),
            'relvit-joint-nopos':
            ('RelViT joint, no positional embedding',
             _digits('relvit/relvit-joint_vit-tiny-p4'), None, (NOPOS, )),
            'relvit-finetune':
            (FINETUNE + " (papers' protocol: upstream, then as long)",
             _digits('relvit/vit-tiny-p4_relvit-pre'), 'relvit-upstream'),
            'relvit-finetune-matched':
            (FINETUNE + ', same total epochs',
             _digits('relvit/vit-tiny-p4_relvit-pre'), 'relvit-upstream-half'),
        }),
}
DEFAULT_ARMS = ['supervised', 'drloc', 'relvit-joint', 'relvit-finetune']


def arm_spec(dataset: str, name: str) -> tuple:
    spec = DATASETS[dataset]['arms'][name]
    # (title, config[, upstream[, extra config lines]])
    title, config, upstream, lines = spec + (None, ())[len(spec) - 2:]
    return title, config, upstream, tuple(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Small-data study of DrLoc and RelViT (Fashion-MNIST '
        'subsets, digits).')
    parser.add_argument('--dataset', choices=list(DATASETS), default='fmnist')
    parser.add_argument(
        '--arms',
        nargs='+',
        default=None,
        help=f'arms to run (default {DEFAULT_ARMS}), from '
        f'{list(DATASETS["fmnist"]["arms"])} and --extra-arm names')
    parser.add_argument(
        '--extra-arm',
        action='append',
        default=[],
        metavar='NAME=CONFIG',
        help='an extra from-scratch arm (e.g. a fix of an arm that did not '
        'help); add NAME to --arms to run it')
    parser.add_argument(
        '--sweep',
        nargs='+',
        default=None,
        metavar='KEY=V[,KEY=V]',
        help='recipe search: train the supervised arm once per cell, keys '
        f'{list(SWEEP_KEYS)} (e.g. epochs=200,lr=1e-3)')
    parser.add_argument(
        '--recipe',
        default=None,
        metavar='KEY=V[,KEY=V]',
        help='the recipe chosen by a sweep, applied to every run of the '
        'study (upstreams included): keys lr, weight_decay, warmup (the '
        'epochs are --epochs)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument(
        '--upstream-epochs',
        type=int,
        default=None,
        help='epochs of the relvit-finetune upstream (default: --epochs)')
    parser.add_argument(
        '--num-train',
        type=int,
        default=2000,
        help='fmnist: training images (class-balanced subset, the same '
        'for every run)')
    parser.add_argument(
        '--num-test',
        type=int,
        default=None,
        help='fmnist: test images (default: all 10,000)')
    parser.add_argument(
        '--data-root', default=None, help='default: the data set\'s')
    parser.add_argument(
        '--val-interval',
        type=int,
        default=None,
        help='evaluate on the test set every N epochs (default: 20 '
        'evaluations per run, epochs // 20)')
    parser.add_argument(
        '--no-train-eval',
        action='store_true',
        help='skip the top-1 of the final model on its training images')
    parser.add_argument('--work-dir', default='work_dirs/small_data')
    parser.add_argument(
        '--out-dir',
        default='docs',
        help='where the table (.md) and the plot (.png) go')
    parser.add_argument(
        '--name',
        default=None,
        help='file name stem of the table and plot (default: small_data, '
        'small_data_sweep with --sweep)')
    parser.add_argument(
        '--doc',
        default='docs/small_data.md',
        help='markdown file whose generated section is replaced; "none" '
        'to skip')
    parser.add_argument(
        '--marker',
        default='small_data_study',
        help='name of the generated section of --doc')
    parser.add_argument(
        '--jobs', type=int, default=2, help='runs trained in parallel')
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads per run (OMP_NUM_THREADS); tiny models train '
        'best as one single-threaded run per core')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also write TensorBoard event files (needs tensorboard)')
    parser.add_argument(
        '--force', action='store_true', help='retrain finished runs')
    parser.add_argument(
        '--report-only',
        action='store_true',
        help='train nothing: tabulate the finished runs of a study under '
        'way and list the missing ones')
    args = parser.parse_args(argv)
    if args.upstream_epochs is None:
        args.upstream_epochs = args.epochs
    if args.data_root is None:
        args.data_root = DATASETS[args.dataset]['data_root']
    args.extra = {}
    for item in args.extra_arm:
        name, sep, config = item.partition('=')
        if not sep or not name or not config:
            parser.error(f'--extra-arm expects NAME=CONFIG, got {item!r}')
        args.extra[name] = (name, osp.abspath(config), None, ())
    if args.sweep is not None:
        if args.arms is not None:
            parser.error('--sweep trains the supervised arm; drop --arms')
        args.arms = ['supervised']
        try:
            args.cells = parse_cells(args.sweep, args.epochs)
        except ValueError as err:
            parser.error(f'--sweep: {err}')
    else:
        args.cells = None
        args.arms = args.arms or DEFAULT_ARMS
    args.recipe_cell = None
    if args.recipe is not None:
        if args.sweep is not None:
            parser.error('--recipe fixes what --sweep searches: use one')
        try:
            (args.recipe_cell, ) = parse_cells([args.recipe], args.epochs)
        except ValueError as err:
            parser.error(f'--recipe: {err}')
        if 'epochs=' in args.recipe:
            parser.error('--recipe: the epochs are --epochs')
    unknown = (
        set(args.arms) - set(DATASETS[args.dataset]['arms']) - set(args.extra))
    if unknown:
        parser.error(f'unknown arms {sorted(unknown)}')
    for name in ('epochs', 'upstream_epochs', 'num_train', 'jobs', 'threads',
                 'val_interval'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    if 'relvit-finetune-matched' in args.arms and args.epochs < 2:
        parser.error('relvit-finetune-matched splits --epochs in two '
                     'halves: --epochs must be at least 2')
    return args


def val_interval(args, epochs: int) -> int:
    return args.val_interval or max(1, epochs // 20)


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------
def arm_table(args) -> dict:
    arms = {
        name: arm_spec(args.dataset, name)
        for name in args.arms if name not in args.extra
    }
    arms.update({k: v for k, v in args.extra.items() if k in args.arms})
    return {name: arms[name] for name in args.arms}


def recipe_options(args, config: str) -> list:
    """``--cfg-options`` that put ``config`` on the study's recipe."""
    if args.recipe_cell is None:
        return []
    return cell_settings(args.recipe_cell, config)['cfg_options']


def plan_runs(args) -> list:
    arms = arm_table(args)
    runs, upstreams = [], {}
    upstream_epochs = {
        'relvit-upstream': args.upstream_epochs,
        'relvit-upstream-half': args.epochs // 2,
    }
    for seed in args.seeds:
        for name, (_, config, upstream, lines) in arms.items():
            if args.cells is not None:
                for cell in args.cells:
                    settings = cell_settings(cell, config)
                    run = Run(
                        settings['name'],
                        seed,
                        config,
                        cell['epochs'],
                        cfg_options=settings['cfg_options'])
                    run.warmup = float(cell['warmup'])
                    run.cell = dict(cell, **settings)
                    runs.append(run)
                continue
            up = None
            epochs = args.epochs
            if upstream is not None:
                up = upstreams.get((upstream, seed))
                if up is None:
                    up_config = DATASETS[args.dataset]['upstream']
                    up = Run(
                        upstream,
                        seed,
                        up_config,
                        upstream_epochs[upstream],
                        is_upstream=True,
                        cfg_options=recipe_options(args, up_config))
                    upstreams[upstream, seed] = up
                    runs.append(up)
                if upstream == 'relvit-upstream-half':
                    epochs = args.epochs - up.epochs
            run = Run(
                name,
                seed,
                config,
                epochs,
                upstream=up,
                cfg_options=recipe_options(args, config))
            run.lines = lines
            runs.append(run)
    if args.recipe_cell is not None:
        for run in runs:
            run.warmup = float(args.recipe_cell['warmup'])
    for run in runs:
        run.work_dir = osp.abspath(
            osp.join(args.work_dir, run.name, f'seed{run.seed}'))
    return runs


def data_lines(args, key: str, num_samples=None, sep=' ') -> str:
    """``<key> = dict(dataset=dict(data_root=...))`` of the data set."""
    if args.dataset == 'fmnist':
        return (f'{key} = dict(dataset=dict(data_root={args.data_root!r},'
                f'{sep}num_samples={num_samples}))')
    root = osp.join(args.data_root, '')
    return f'{key} = dict(dataset=dict(data_root={root!r}))'


def run_config_text(run: Run, args) -> str:
    """The generated config: the arm's config plus the study settings."""
    e = run.epochs
    lines = [
        f'# generated by {osp.relpath(__file__, REPO)}; see the arm config',
        f'_base_ = [{run.config!r}]',
        data_lines(args, 'train_dataloader', args.num_train, '\n    '),
        f'train_cfg = dict(max_epochs={e}, '
        f'val_interval={val_interval(args, e)})',
        'param_scheduler = [dict(type="RelViTLR", warmup_ratio='
        f'{getattr(run, "warmup", 0.1)}, by_epoch=True, begin=0, end={e}, '
        'convert_to_iter_based=True)]',
        f'randomness = dict(seed={run.seed})',
        'default_hooks = dict(logger=dict(interval=10), '
        f'checkpoint=dict(interval={e}, max_keep_ckpts=1))',
    ]
    if run.cfg_options:
        # applied by tools/train.py; written here so that they are part of
        # the run's settings (a changed option retrains the run)
        lines.append(f'# --cfg-options {" ".join(run.cfg_options)}')
    if not run.is_upstream:
        lines += [
            data_lines(args, 'val_dataloader', args.num_test),
            'test_dataloader = val_dataloader',
        ]
    if run.upstream is not None:
        lines += [
            'model = dict(backbone=dict(init_cfg=dict(type="Pretrained", '
            f'checkpoint={run.upstream.checkpoint!r}, prefix="backbone.")))'
        ]
    lines += list(getattr(run, 'lines', ()))
    if args.tensorboard:
        lines += [
            'visualizer = dict(vis_backends=[dict(type="LocalVisBackend"), '
            'dict(type="TensorboardVisBackend")])'
        ]
    return '\n'.join(lines) + '\n'


def train_accuracy(run: Run, args, threads: int) -> dict:
    """Top-1 of the run's final model on its own training images, with the
    test pipeline."""
    if args.dataset == 'fmnist':
        test = (f"dict(dataset=dict(split='train', "
                f'num_samples={args.num_train}))')
    else:
        test = "dict(dataset=dict(ann_file='meta/train.txt'))"
    path = osp.join(run.work_dir, 'train_eval.py')
    with open(path, 'w') as f:
        f.write(f'# the final model of config.py on its training images\n'
                f"_base_ = ['./config.py']\ntest_dataloader = {test}\n")
    metrics = test_checkpoint(REPO, path, run.checkpoint,
                              osp.join(run.work_dir, 'train_eval'), threads)
    return dict(train_top1=metrics[TOP1])


def ensure_data(args) -> None:
    if args.dataset == 'digits':
        from mmrelvit.datasets.digits import write_classification

        # a no-op when the data exist
        write_classification(args.data_root)


def main(argv=None):
    args = parse_args(argv)
    command = command_line(__file__, REPO, argv)
    runs = plan_runs(args)
    n_up = sum(r.is_upstream for r in runs)
    size = (f'{args.num_train} training images, '
            f'{args.num_test or "all"} test images'
            if args.dataset == 'fmnist' else 'digits train/val split')
    print(
        f'{len(runs)} runs ({n_up} upstream): arms {args.arms}, seeds '
        f'{args.seeds}, {args.epochs} epochs (upstream '
        f'{args.upstream_epochs}), {size}; {args.jobs} parallel '
        f'job(s) x {args.threads} thread(s)',
        flush=True)
    ensure_data(args)
    start = time.time()
    runner = StudyRunner(
        runs,
        lambda run: run_config_text(run, args),
        REPO,
        jobs=args.jobs,
        threads=args.threads,
        force=args.force,
        summary=lambda r: f'top-1 {r["val"][TOP1][-1]:.2f}' +
        (f', train {r["extra"]["train_top1"]:.2f}' if 'extra' in r else ''),
        evaluate=None if args.no_train_eval else
        (lambda run: train_accuracy(run, args, args.threads)),
        report_only=args.report_only)
    results = runner.execute()
    wall = time.time() - start
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(command=command, wall_s=wall, runs=results), f)

    name = args.name or ('small_data_sweep' if args.cells else 'small_data')
    data = DATASETS[args.dataset]['title']
    recipe = f', recipe {args.recipe}' if args.recipe else ''
    if args.cells:
        settings = f'{data}, {size}, the epochs of each cell'
    else:
        settings = (f'{data}, {size}, {args.epochs} epoch(s) '
                    f'(relvit-finetune upstream {args.upstream_epochs})')
    settings += f'{recipe}, seeds {args.seeds}'

    os.makedirs(args.out_dir, exist_ok=True)
    png = None
    if args.cells:
        table = sweep_table(results, runs)
    else:
        rows = classification_rows(results, arm_table(args), runs)
        if not rows:
            raise SystemExit(f'no run finished; failed: {runner.failed}')
        table = classification_table(rows)
        png = osp.join(args.out_dir, f'{name}_curves.png')
        plot_curves(rows, png, f'{data}, tiny ViT: {settings}')
    table_md = osp.join(args.out_dir, f'{name}_table.md')
    with open(table_md, 'w') as f:
        f.write(table + '\n')

    print('\n' + table + '\n')
    print_missing(runner)
    print(f'study wall time {wall / 60:.1f} min; table {table_md}' +
          (f'; plot {png}' if png else ''))
    if args.doc != 'none':
        block = [
            provenance(runner, wall, results),
            '',
            '```shell',
            command,
            '```',
            '',
            f'Settings: {settings}. Top-1 on the test set after the last '
            'epoch (mean +- sample std over seeds); train top-1: the final '
            'model on its training images (test pipeline); converged: runs '
            'meeting `mmrelvit.analysis.convergence` (training top-1 >= 98 '
            '% or a flat training loss, and test top-1 within 0.5 points '
            'over the last 20 % of the epochs).',
            '',
            table,
        ]
        if png:
            rel_png = osp.relpath(png, osp.dirname(osp.abspath(args.doc)))
            block += ['', f'![test top-1 per epoch]({rel_png})']
        block = '\n'.join(block) + run_status(runner)
        update_doc(args.doc, block, marker=args.marker)
        print(f'updated {args.doc}')
    if runner.failed:
        raise SystemExit(f'failed runs: {runner.failed}')


if __name__ == '__main__':
    main()
