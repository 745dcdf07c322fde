"""Evaluate a checkpoint with an mmpretrain, mmdet or mmseg config.

Arguments follow OpenMMLab's ``tools/test.py``; ``--out`` and ``--show-dir``
keep the meaning they have in the library named by ``default_scope``. The
metrics are printed as one JSON line at the end (and written to
``--work-dir`` by the runner's logger).
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmrelvit  # noqa: F401  (weights_only allow-list for checkpoints)
from mmrelvit.utils import setup_cpu_distributed
from mmrelvit.utils.preflight import (PreflightError, check_checkpoint_fits,
                                      is_url)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        help='mmpretrain/mmdet: pickle file for the predictions; '
        'mmseg: directory for the predicted label maps')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved (relative to '
        'the timestamped run directory of work_dir, as in OpenMMLab)')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_visualization(cfg, args):
    """Switch the library's visualization hook on for --show/--show-dir."""
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise ValueError(
            f'--show/--show-dir need default_hooks.visualization in '
            f'{args.config}')
    vis = hooks.visualization
    scope = cfg.get('default_scope', 'mmengine')
    if scope == 'mmpretrain':
        vis.enable = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.out_dir = args.show_dir
    elif scope == 'mmdet':
        vis.draw = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.test_out_dir = args.show_dir
    elif scope == 'mmseg':
        vis.draw = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        # SegVisualizationHook also thins test batches by `interval` (50 in
        # mmseg's runtime): paint every image, as --show-dir promises.
        vis.interval = 1
        # ... and names each picture with runner.iter, which builds the
        # training loop (loading the training set) only to read 0; a runner
        # without training parts answers 0 directly.
        for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                    'param_scheduler'):
            cfg[key] = None
        if args.show_dir:
            # PNGs land in <show-dir>/vis_data/vis_image/
            cfg.visualizer.save_dir = args.show_dir
            cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    else:
        raise ValueError(f'--show-dir: unsupported default_scope {scope!r}')


def add_output(cfg, runner, args):
    """Save the raw predictions as the library's own test.py does."""
    scope = cfg.get('default_scope', 'mmengine')
    if scope == 'mmseg':
        # mmseg writes label maps through its IoUMetric(output_dir=...)
        for metric in runner.test_evaluator.metrics:
            if hasattr(metric, 'output_dir'):
                metric.output_dir = args.out
                metric.keep_results = True
                os.makedirs(args.out, exist_ok=True)
        return
    if not args.out.endswith(('.pkl', '.pickle')):
        raise ValueError(f'--out must be a .pkl file, got {args.out!r}')
    if scope == 'mmdet':
        from mmdet.evaluation import DumpDetResults
        metric = DumpDetResults(out_file_path=args.out)
    else:
        from mmengine.evaluator import DumpResults
        metric = DumpResults(out_file_path=args.out)
    runner.test_evaluator.metrics.append(metric)


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    setup_cpu_distributed(cfg, args.launcher)

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    if not is_url(args.checkpoint):
        # mmengine loads non-strictly and only logs missing keys: the
        # checkpoint of another model would give metrics of random weights.
        # Extra keys (e.g. a joint run's aux heads) are fine.
        try:
            check_checkpoint_fits(
                runner.model,
                args.checkpoint,
                args.config,
                allow_unexpected=True)
        except PreflightError as e:
            raise SystemExit(f'tools/test.py: error: {e}')
    if args.out:
        add_output(cfg, runner, args)
    metrics = runner.test()
    if is_main_process():
        print('metrics: ' + json.dumps(
            {
                k: float(v)
                for k, v in metrics.items()
            }, sort_keys=True))


if __name__ == '__main__':
    main()
