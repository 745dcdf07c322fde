"""Small-data study: supervised ViT vs DrLoc vs RelViT on Fashion-MNIST.

Trains the arms of ``configs/small_data`` from scratch, each with several
seeds, through the real ``tools/train.py`` (one process per run), reads the
test accuracy of every epoch from mmengine's ``scalars.json`` and writes

- ``<out-dir>/small_data_table.md``: top-1 mean +- std per arm;
- ``<out-dir>/small_data_curves.png``: test top-1 per epoch (mean, +-std);
- ``<work-dir>/results.json``: every run's curve and SSL metrics;
- the same table, the plot link and the exact command between the
  ``small_data_study`` markers of ``--doc`` (docs/small_data.md).

All arms share the model, data, augmentation and schedule; the generated
per-run config (``<work-dir>/<arm>/seed<k>/config.py``) only sets the epochs,
subset sizes, seed and, for the finetune arm, the upstream checkpoint of the
same seed. Finished runs are reused (``result.json``), so an interrupted
study continues where it stopped; ``--force`` retrains.

Example (the documented study)::

    python tools/analysis_tools/small_data_study.py --seeds 0 1 2 \\
        --epochs 30 --upstream-epochs 30 --jobs 2 --threads 1
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs', 'small_data')
TRAIN = osp.join(REPO, 'tools', 'train.py')
DEBIAN_ROOT = '/usr/share/datasets/fashion-mnist'
TOP1 = 'accuracy/top1'

# name -> (title, config, upstream run it starts from or None)
ARMS = {
    'supervised':
    ('Supervised baseline', 'vit-tiny-p4_1xb64_fmnist2k.py', None),
    'drloc': ('+ DrLoc (joint)', 'vit-tiny-p4-drloc_1xb64_fmnist2k.py', None),
    'relvit-joint': ('RelViT joint (SpRel + AbsPos)',
                     'vit-tiny-p4-relvit-joint_1xb64_fmnist2k.py', None),
    'relvit-finetune':
    ('RelViT upstream -> finetune',
     'vit-tiny-p4-relvit-finetune_1xb64_fmnist2k.py', 'relvit-upstream'),
}
UPSTREAMS = {
    'relvit-upstream': 'vit-tiny-p4-relvit-upstream_1xb64_fmnist2k.py',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Fashion-MNIST small-data study of DrLoc and RelViT.')
    parser.add_argument(
        '--arms',
        nargs='+',
        default=list(ARMS),
        help=f'arms to run, from {list(ARMS)} and --extra-arm names')
    parser.add_argument(
        '--extra-arm',
        action='append',
        default=[],
        metavar='NAME=CONFIG',
        help='an extra from-scratch arm (e.g. a fix of an arm that did not '
        'help); add NAME to --arms to run it')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument(
        '--upstream-epochs',
        type=int,
        default=None,
        help='epochs of the self-supervised upstream (default: --epochs)')
    parser.add_argument(
        '--num-train',
        type=int,
        default=2000,
        help='training images (class-balanced subset, the same for every '
        'run)')
    parser.add_argument(
        '--num-test',
        type=int,
        default=None,
        help='test images (default: all 10,000)')
    parser.add_argument('--data-root', default=DEBIAN_ROOT)
    parser.add_argument(
        '--val-interval',
        type=int,
        default=1,
        help='evaluate on the test set every N epochs')
    parser.add_argument('--work-dir', default='work_dirs/small_data')
    parser.add_argument(
        '--out-dir',
        default='docs',
        help='where the table (.md) and the plot (.png) go')
    parser.add_argument(
        '--doc',
        default='docs/small_data.md',
        help='markdown file whose generated section is replaced; "none" '
        'to skip')
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
    args = parser.parse_args(argv)
    if args.upstream_epochs is None:
        args.upstream_epochs = args.epochs
    args.extra = {}
    for item in args.extra_arm:
        name, sep, config = item.partition('=')
        if not sep or not name or not config:
            parser.error(f'--extra-arm expects NAME=CONFIG, got {item!r}')
        args.extra[name] = (name, osp.abspath(config), None)
    unknown = set(args.arms) - set(ARMS) - set(args.extra)
    if unknown:
        parser.error(f'unknown arms {sorted(unknown)}')
    for name in ('epochs', 'upstream_epochs', 'num_train', 'jobs', 'threads',
                 'val_interval'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    return args


def arm_table(args) -> dict:
    arms = {
        name: (title, osp.join(CFG_DIR, cfg), up)
        for name, (title, cfg, up) in ARMS.items()
    }
    arms.update(args.extra)
    return {name: arms[name] for name in args.arms}


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------
class Run:
    """One training run: an arm (or upstream) with one seed."""

    def __init__(self,
                 name,
                 seed,
                 config,
                 epochs,
                 upstream=None,
                 is_upstream=False):
        self.name = name
        self.seed = seed
        self.config = config
        self.epochs = epochs
        self.upstream = upstream  # the Run it starts from
        self.is_upstream = is_upstream
        self.work_dir = None

    @property
    def key(self):
        return f'{self.name}/seed{self.seed}'

    @property
    def checkpoint(self):
        return osp.join(self.work_dir, f'epoch_{self.epochs}.pth')


def run_config_text(run: Run, args) -> str:
    """The generated config: the arm's config plus the study settings."""
    e = run.epochs
    lines = [
        f'# generated by {osp.relpath(__file__, REPO)}; see the arm config',
        f'_base_ = [{run.config!r}]',
        f'train_dataloader = dict(dataset=dict(data_root={args.data_root!r},',
        f'    num_samples={args.num_train}))',
        f'train_cfg = dict(max_epochs={e}, val_interval={args.val_interval})',
        'param_scheduler = [dict(type="RelViTLR", warmup_ratio=0.1, '
        f'by_epoch=True, begin=0, end={e}, convert_to_iter_based=True)]',
        f'randomness = dict(seed={run.seed})',
        'default_hooks = dict(logger=dict(interval=10), '
        f'checkpoint=dict(interval={e}, max_keep_ckpts=1))',
    ]
    if not run.is_upstream:
        lines += [
            'val_dataloader = dict(dataset=dict(data_root='
            f'{args.data_root!r}, num_samples={args.num_test}))',
            'test_dataloader = val_dataloader',
        ]
    if run.upstream is not None:
        lines += [
            'model = dict(backbone=dict(init_cfg=dict(type="Pretrained", '
            f'checkpoint={run.upstream.checkpoint!r}, prefix="backbone.")))'
        ]
    if args.tensorboard:
        lines += [
            'visualizer = dict(vis_backends=[dict(type="LocalVisBackend"), '
            'dict(type="TensorboardVisBackend")])'
        ]
    return '\n'.join(lines) + '\n'


def latest_scalars(work_dir: str) -> str:
    """``scalars.json`` of the newest mmengine log directory."""
    stamps = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    if not stamps:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    return osp.join(work_dir, stamps[-1], 'vis_data', 'scalars.json')


def read_scalars(path: str, metrics=('accuracy/top1', )) -> dict:
    """Validation curves and final training metrics from ``scalars.json``.

    Returns:
        dict: ``epochs`` (the step of each validation, in log order),
        ``val``: ``{metric: values}`` for each of ``metrics`` and ``train``:
        every training key (``loss_*``, ``acc_*``, ...) averaged over the
        logs of the last training epoch.
    """
    epochs, val, train = [], {m: [] for m in metrics}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            if any(m in entry for m in metrics):
                epochs.append(int(entry['step']))
                for m in metrics:
                    val[m].append(float(entry.get(m, float('nan'))))
            elif 'iter' in entry:
                train.append(entry)
    last = max((e.get('epoch', 0) for e in train), default=0)
    train = [e for e in train if e.get('epoch', 0) == last]
    keys = {k for e in train for k in e}
    means = {
        k: float(np.mean([e[k] for e in train if k in e]))
        for k in keys if all(isinstance(e.get(k, 0.), float) for e in train)
    }
    return dict(epochs=epochs, val=val, train=means)


class Runner:
    """Trains runs through ``tools/train.py``, ``jobs`` at a time.

    Args:
        runs (list[Run]): The runs; a run with ``upstream`` starts after it.
        make_config (callable): ``run -> config text`` (a config inheriting
            the run's config).
        jobs (int): Runs trained in parallel.
        threads (int): ``OMP_NUM_THREADS`` of each run.
        force (bool): Retrain runs that have a ``result.json`` of the same
            config.
        metrics (tuple[str]): Validation metrics read from scalars.json.
        summary (callable): ``result -> str`` for the progress lines.
    """

    def __init__(self,
                 runs,
                 make_config,
                 jobs=1,
                 threads=1,
                 force=False,
                 metrics=(TOP1, ),
                 summary=None):
        self.runs = runs
        self.make_config = make_config
        self.jobs = jobs
        self.threads = threads
        self.force = force
        self.metrics = metrics
        self.summary = summary or (lambda result: '')
        self.lock = threading.Lock()
        self.done = 0
        self.started = time.time()
        self.failed = []

    def log(self, msg):
        with self.lock:
            elapsed = time.time() - self.started
            print(f'[{elapsed / 60:5.1f} min] {msg}', flush=True)

    def train(self, run: Run, wait_for=None) -> dict:
        if wait_for is not None:
            wait_for.result()  # raises if the upstream failed
        os.makedirs(run.work_dir, exist_ok=True)
        text = self.make_config(run)
        settings = hashlib.sha1(text.encode()).hexdigest()[:12]
        result_path = osp.join(run.work_dir, 'result.json')
        if not self.force and osp.isfile(result_path):
            with open(result_path) as f:
                result = json.load(f)
            if result.get('settings') == settings:
                self.finish(run, result, reused=True)
                return result
        cfg_path = osp.join(run.work_dir, 'config.py')
        with open(cfg_path, 'w') as f:
            f.write(text)
        env = dict(os.environ)
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(self.threads)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (REPO, env.get('PYTHONPATH')) if p)
        cmd = [sys.executable, TRAIN, cfg_path, '--work-dir', run.work_dir]
        self.log(f'start {run.key} ({run.epochs} epochs): '
                 f'log {osp.join(run.work_dir, "train.log")}')
        start = time.time()
        with open(osp.join(run.work_dir, 'train.log'), 'w') as log:
            proc = subprocess.run(
                cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        wall = time.time() - start
        if proc.returncode != 0:
            with open(osp.join(run.work_dir, 'train.log')) as f:
                tail = f.read()[-3000:]
            self.failed.append(run.key)
            self.log(f'FAILED {run.key} (exit {proc.returncode}):\n{tail}')
            raise RuntimeError(f'{run.key} failed')
        scalars = read_scalars(latest_scalars(run.work_dir), self.metrics)
        result = dict(
            arm=run.name,
            seed=run.seed,
            settings=settings,
            wall_s=wall,
            epochs=scalars['epochs'],
            val=scalars['val'],
            train={
                k: v
                for k, v in scalars['train'].items()
                if k.startswith(('acc_', 'loss'))
            })
        if run.is_upstream and not osp.isfile(run.checkpoint):
            raise RuntimeError(f'{run.key} left no {run.checkpoint}')
        if not run.is_upstream and not result['epochs']:
            raise RuntimeError(f'{run.key} logged no {self.metrics}')
        with open(result_path, 'w') as f:
            json.dump(result, f, indent=1)
        self.finish(run, result)
        return result

    def finish(self, run, result, reused=False):
        with self.lock:
            self.done += 1
            done = self.done
        left = len(self.runs) - done
        elapsed = time.time() - self.started
        eta = elapsed / done * left if done else 0
        what = self.summary(result) if result['epochs'] else 'upstream'
        how = 'reused' if reused else f"{result['wall_s']:.0f} s"
        self.log(f'done {run.key} ({how}): {what}; {done}/{len(self.runs)} '
                 f'runs, ETA {eta / 60:.1f} min')

    def execute(self) -> dict:
        futures = {}
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            # upstream runs are queued first, so that a finetune run waiting
            # for its upstream never blocks the upstream's own slot
            for run in sorted(self.runs, key=lambda r: not r.is_upstream):
                # an upstream that is not a run of this study (a given
                # checkpoint) has no future to wait for
                wait_for = (
                    futures.get(run.upstream.key) if run.upstream else None)
                futures[run.key] = pool.submit(self.train, run, wait_for)
        results = {}
        for key, future in futures.items():
            try:
                results[key] = future.result()
            except Exception as err:  # reported below, keep the others
                if key not in self.failed:
                    self.failed.append(key)
                    self.log(f'{key} not trained: {err}')
        return results


def plan_runs(args) -> list:
    arms = arm_table(args)
    runs, upstreams = [], {}
    for seed in args.seeds:
        for name, (_, config, upstream) in arms.items():
            up = None
            if upstream is not None:
                up = upstreams.get((upstream, seed))
                if up is None:
                    up = Run(
                        upstream,
                        seed,
                        osp.join(CFG_DIR, UPSTREAMS[upstream]),
                        args.upstream_epochs,
                        is_upstream=True)
                    upstreams[upstream, seed] = up
                    runs.append(up)
            runs.append(Run(name, seed, config, args.epochs, upstream=up))
    for run in runs:
        run.work_dir = osp.abspath(
            osp.join(args.work_dir, run.name, f'seed{run.seed}'))
    return runs


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def mean_std(values) -> tuple:
    values = np.asarray(values, dtype=float)
    std = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(std)


def aggregate(results: dict, arms: dict) -> list:
    """One row per arm: final and best top-1 over seeds, SSL accuracies
    (of the upstream runs for a finetuned arm), curves, wall time."""
    rows = []
    for name, (title, _, upstream) in arms.items():
        runs = [r for r in results.values() if r['arm'] == name]
        if not runs:
            continue
        runs.sort(key=lambda r: r['seed'])
        curves = [r['val'][TOP1] for r in runs]
        ssl_runs = runs
        if upstream is not None:
            ssl_runs = [
                results[f"{upstream}/seed{r['seed']}"] for r in runs
                if f"{upstream}/seed{r['seed']}" in results
            ]
        ssl = {}
        for key in sorted({k for r in ssl_runs for k in r['train']}):
            if key.startswith('acc_'):
                ssl[key[4:]] = mean_std(
                    [r['train'][key] for r in ssl_runs if key in r['train']])
        rows.append(
            dict(
                arm=name,
                title=title,
                seeds=[r['seed'] for r in runs],
                final=mean_std([c[-1] for c in curves]),
                best=mean_std([max(c) for c in curves]),
                per_seed=[c[-1] for c in curves],
                ssl=ssl,
                ssl_from='upstream ' if upstream is not None else '',
                epochs=runs[0]['epochs'],
                curves=curves,
                wall_s=mean_std([r['wall_s'] for r in runs])))
    return rows


def format_table(rows: list) -> str:
    base = next((r for r in rows if r['arm'] == 'supervised'), None)
    lines = [
        '| arm | final top-1 (%) | vs supervised | best-epoch top-1 (%) '
        '| per seed (final) | SSL train acc. (last epoch, %) | min / run |',
        '| --- | ---: | ---: | ---: | --- | --- | ---: |',
    ]
    for r in rows:
        delta = ('' if base is None or r is base else
                 f"{r['final'][0] - base['final'][0]:+.2f}")
        ssl = '-'
        if r['ssl']:
            ssl = r['ssl_from'] + ', '.join(f'{k} {100 * m:.1f}'
                                            for k, (m, _) in r['ssl'].items())
        per_seed = ' / '.join(f'{v:.2f}' for v in r['per_seed'])
        lines.append(
            f"| {r['title']} | {r['final'][0]:.2f} +- {r['final'][1]:.2f} "
            f"| {delta} | {r['best'][0]:.2f} +- {r['best'][1]:.2f} "
            f"| {per_seed} | {ssl} | {r['wall_s'][0] / 60:.1f} |")
    return '\n'.join(lines)


def plot_curves(rows: list, path: str, title: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for r in rows:
        n = min(len(c) for c in r['curves'])
        curves = np.asarray([c[:n] for c in r['curves']], dtype=float)
        epochs = np.asarray(r['epochs'][:n])
        mean = curves.mean(0)
        ax.plot(epochs, mean, marker='o' if n < 3 else None, label=r['title'])
        if len(curves) > 1:
            std = curves.std(0, ddof=1)
            ax.fill_between(epochs, mean - std, mean + std, alpha=0.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel('epoch')
    ax.set_ylabel('test top-1 (%)')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def update_doc(doc: str,
               block: str,
               marker: str = 'small_data_study',
               title: str = '# Small-data study (Fashion-MNIST)') -> None:
    """Replace the generated ``marker`` block of ``doc`` (append it, or
    create the file with ``title``, if there is none)."""
    begin = f'<!-- {marker}:begin (generated, do not edit) -->'
    end = f'<!-- {marker}:end -->'
    block = f'{begin}\n{block.rstrip()}\n{end}\n'
    if osp.isfile(doc):
        with open(doc) as f:
            text = f.read()
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            tail = rest.split(end, 1)[1].lstrip('\n')
            text = head + block + ('\n' + tail if tail else '')
        else:
            text = text.rstrip() + '\n\n' + block
    else:
        text = f'{title}\n\n{block}'
    os.makedirs(osp.dirname(osp.abspath(doc)), exist_ok=True)
    with open(doc, 'w') as f:
        f.write(text)


def main(argv=None):
    args = parse_args(argv)
    command = ' '.join(
        shlex.quote(a)
        for a in ['python', osp.relpath(__file__, REPO)] +
        (sys.argv[1:] if argv is None else list(argv)))
    runs = plan_runs(args)
    n_up = sum(r.is_upstream for r in runs)
    print(
        f'{len(runs)} runs ({n_up} upstream): arms {args.arms}, seeds '
        f'{args.seeds}, {args.epochs} epochs (upstream '
        f'{args.upstream_epochs}), {args.num_train} training images, '
        f'{args.num_test or "all"} test images; {args.jobs} parallel '
        f'job(s) x {args.threads} thread(s)',
        flush=True)
    start = time.time()
    runner = Runner(
        runs,
        lambda run: run_config_text(run, args),
        jobs=args.jobs,
        threads=args.threads,
        force=args.force,
        summary=lambda r: f'top-1 {r["val"][TOP1][-1]:.2f}')
    results = runner.execute()
    wall = time.time() - start
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(command=command, wall_s=wall, runs=results), f)

    arms = arm_table(args)
    rows = aggregate(results, arms)
    if not rows:
        raise SystemExit(f'no run finished; failed: {runner.failed}')
    table = format_table(rows)
    settings = (f'{args.num_train} training / {args.num_test or 10000} test '
                f'images, {args.epochs} epoch(s) (upstream '
                f'{args.upstream_epochs}), seeds {args.seeds}')
    os.makedirs(args.out_dir, exist_ok=True)
    png = osp.join(args.out_dir, 'small_data_curves.png')
    plot_curves(rows, png, f'Fashion-MNIST, tiny ViT: {settings}')
    table_md = osp.join(args.out_dir, 'small_data_table.md')
    with open(table_md, 'w') as f:
        f.write(table + '\n')

    print('\n' + table + '\n')
    print(f'study wall time {wall / 60:.1f} min; table {table_md}; '
          f'plot {png}')
    if args.doc != 'none':
        rel_png = osp.relpath(png, osp.dirname(osp.abspath(args.doc)))
        train_min = sum(r['wall_s'] for r in results.values()) / 60
        block = '\n'.join([
            f'Command ({time.strftime("%Y-%m-%d")}; {wall / 60:.1f} min wall '
            f'for this call, {train_min:.1f} min of training summed over '
            f'the runs, {args.jobs} job(s) x {args.threads} thread(s)):',
            '',
            '```shell',
            command,
            '```',
            '',
            f'Settings: {settings}. Top-1 on the test set after the last '
            'epoch (mean +- sample std over seeds); best-epoch top-1 is '
            'selected on the test set and only shown for comparison with '
            'papers that report it.',
            '',
            table,
            '',
            f'![test top-1 per epoch]({rel_png})',
        ])
        if runner.failed:
            block += f'\n\nFailed runs: {", ".join(runner.failed)}'
        update_doc(args.doc, block)
        print(f'updated {args.doc}')
    if runner.failed:
        raise SystemExit(f'failed runs: {runner.failed}')


if __name__ == '__main__':
    main()
