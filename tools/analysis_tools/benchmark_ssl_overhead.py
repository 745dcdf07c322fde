"""Training-step time and peak memory of the self-supervised heads.

For each backbone, four models that differ only in their aux heads:

==============  ======================================================
row             aux heads of :class:`AuxSSLClassifier`
==============  ======================================================
baseline        none (backbone + classification head)
+DrLoc          DrLocHead (l1, 64 pairs, 512 hidden)
+SpRel+AbsPos   PatchRelationHead(relation) + AbsPositionHead
+RelViT all     relation, distance, angle and absolute position
==============  ======================================================

Time: a full training step as the runner does it
(``model.train_step``: preprocessing, forward, losses, backward, gradient
clipping, AdamW update) on one fixed batch already on the device, so data
loading is excluded. After ``--warmup`` steps per row, the rows are timed
``--repeats`` times in a rotated order (a slow phase of a shared machine
hits every row alike); each repeat times ``--iters`` consecutive steps.
The step time is the median over repeats; its ratio is the median over
repeats of (row time / baseline time of the same repeat).

Peak memory, one row at a time:

- CUDA: ``torch.cuda.max_memory_allocated()`` over building the model and
  its warm-up and timed steps, minus what was allocated before.
- CPU: each row in a fresh process (forked from a server that has only
  imported the libraries, so no row sees another's freed-but-cached
  pages): the peak resident set size (``VmHWM``, reset after the build
  through ``/proc/self/clear_refs``; ``ru_maxrss`` where that is not
  available) minus the resident size before the build. Both therefore
  count parameters, the batch, gradients, optimizer state and
  activations.

Example::

    python tools/analysis_tools/benchmark_ssl_overhead.py \\
        --device cuda --batch-size 64 --iters 20 --repeats 7
"""
import argparse
import gc
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import torch

# Heavy imports happen once in the CPU memory server (see _memory_pool).
PRELOAD = ['torch', 'mmpretrain.models', 'mmrelvit.models']

ROWS = ('baseline', 'drloc', 'sprel_abspos', 'relvit_all')
ROW_TITLES = dict(
    baseline='backbone + cls head',
    drloc='+ DrLoc',
    sprel_abspos='+ RelViT SpRel + AbsPos',
    relvit_all='+ RelViT all 4 tasks')

TINY_VIT = dict(
    embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
# Full-size backbones; `channels` is the token width C of the grid the aux
# heads see.
FULL_SPECS = {
    'vit-s16-224':
    dict(
        kind='vit',
        arch='deit-small',
        channels=384,
        img_size=224,
        patch_size=16),
    'vit-s4-32':
    dict(
        kind='vit', arch='deit-small', channels=384, img_size=32,
        patch_size=4),
    'swin-t-224':
    dict(kind='swin', arch='tiny', channels=768, img_size=224, window_size=7),
}
# --tiny overrides
TINY_SPECS = {
    'vit-s16-224':
    dict(arch=TINY_VIT, channels=32, img_size=32, patch_size=8),
    'vit-s4-32':
    dict(arch=TINY_VIT, channels=32, img_size=16, patch_size=4),
    'swin-t-224':
    dict(
        arch=dict(embed_dims=16, depths=[1] * 4, num_heads=[1, 1, 2, 2]),
        channels=128,
        img_size=64,
        window_size=2),
}
# (row, metric, limit) at ViT-S/16 @224, from the issue
TARGETS = (('drloc', 'time', 1.02), ('sprel_abspos', 'time', 1.05),
           ('sprel_abspos', 'memory', 1.10))
TARGET_MODEL = 'vit-s16-224'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time full training steps and peak memory of a '
        'backbone with and without the DrLoc / RelViT heads.')
    parser.add_argument(
        '--models',
        nargs='+',
        default=list(FULL_SPECS),
        choices=list(FULL_SPECS),
        help='backbones to benchmark (default: all)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cpu or cuda[:i] (default: cuda if available)')
    parser.add_argument(
        '--iters', type=int, default=10, help='timed steps per repeat')
    parser.add_argument(
        '--warmup', type=int, default=3, help='untimed steps per row')
    parser.add_argument(
        '--repeats',
        type=int,
        default=5,
        help='interleaved timing rounds; the median is reported')
    parser.add_argument('--num-classes', type=int, default=1000)
    parser.add_argument(
        '--no-memory',
        action='store_true',
        help='skip the peak-memory measurement')
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='2-layer 32-d models on small images (for tests; the '
        'targets do not apply)')
    parser.add_argument(
        '--profile',
        choices=ROWS[1:],
        help='instead of the table: profile --iters steps of the baseline '
        'and of this row and print the operators that make the difference '
        '(self time per step)')
    parser.add_argument(
        '--profile-top',
        type=int,
        default=15,
        help='operators listed by --profile')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    for name in ('batch_size', 'iters', 'repeats'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    if args.warmup < 0:
        parser.error('--warmup must be >= 0')
    return args


def model_spec(name: str, tiny: bool) -> dict:
    return dict(FULL_SPECS[name], **(TINY_SPECS[name] if tiny else {}))


def model_cfg(spec: dict, row: str, num_classes: int) -> dict:
    """The AuxSSLClassifier config of one (backbone, row) case."""
    c = spec['channels']
    if spec['kind'] == 'vit':
        backbone = dict(
            type='TokenViT',
            arch=spec['arch'],
            img_size=spec['img_size'],
            patch_size=spec['patch_size'],
            drop_path_rate=0.1)
        neck = None
        head = dict(
            type='VisionTransformerClsHead',
            num_classes=num_classes,
            in_channels=c)
        grid = spec['img_size'] // spec['patch_size']
    else:
        backbone = dict(
            type='SwinTransformer',
            arch=spec['arch'],
            img_size=spec['img_size'],
            window_size=spec['window_size'],
            drop_path_rate=0.1)
        neck = dict(type='GlobalAveragePooling')
        head = dict(
            type='LinearClsHead', num_classes=num_classes, in_channels=c)
        grid = spec['img_size'] // 32
    aux = dict()
    if row == 'drloc':
        aux['drloc'] = dict(type='DrLocHead', in_channels=c)
    if row in ('sprel_abspos', 'relvit_all'):
        aux['relation'] = dict(
            type='PatchRelationHead', in_channels=c, task='relation')
        aux['position'] = dict(
            type='AbsPositionHead', in_channels=c, num_patches=grid * grid)
    if row == 'relvit_all':
        for task in ('distance', 'angle'):
            aux[task] = dict(
                type='PatchRelationHead', in_channels=c, task=task)
    return dict(
        type='AuxSSLClassifier',
        _scope_='mmpretrain',
        backbone=backbone,
        neck=neck,
        head=head,
        aux_heads=aux or None,
        data_preprocessor=dict(
            mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]))


def build_case(spec: dict, row: str, batch_size: int, num_classes: int,
               device: str, seed: int):
    """Model, optimizer wrapper and one batch (on ``device``)."""
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS
    from mmpretrain.structures import DataSample

    import mmrelvit.models  # noqa: F401  (registers the modules)

    torch.manual_seed(seed)
    model = MODELS.build(model_cfg(spec, row, num_classes)).to(device)
    model.train()
    optim_wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.1),
            clip_grad=dict(max_norm=1.0)))
    size = spec['img_size']
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(batch_size, 3, size, size, generator=generator) * 255
    data = dict(
        inputs=inputs.to(device),
        data_samples=[
            DataSample().set_gt_label(i % num_classes).to(device)
            for i in range(batch_size)
        ])
    return model, optim_wrapper, data


def synchronize(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)


def run_steps(case, n: int) -> None:
    model, optim_wrapper, data = case
    for _ in range(n):
        model.train_step(data, optim_wrapper)


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------
def _rss_bytes() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _reset_hwm() -> bool:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _hwm_bytes() -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no VmHWM in /proc/self/status')


def _cpu_memory_child(spec, row, args) -> dict:
    """Runs in a fresh process: peak RSS growth of one case."""
    torch.set_num_threads(args['threads'])
    gc.collect()
    before = _rss_bytes()
    case = build_case(spec, row, args['batch_size'], args['num_classes'],
                      'cpu', args['seed'])
    after_build = _rss_bytes()
    if _reset_hwm():
        run_steps(case, args['steps'])
        peak, method = max(_hwm_bytes(), after_build), 'VmHWM'
    else:
        run_steps(case, args['steps'])
        # ru_maxrss covers the whole process life (import included)
        peak, method = resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss * 1024, 'ru_maxrss'
    return dict(peak=peak - before, method=method)


def _memory_pool():
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(
        max_workers=1, mp_context=ctx, max_tasks_per_child=1)


def measure_memory(specs, args) -> dict:
    """{(model, row): peak bytes}, plus the method in the 'method' key."""
    steps = args.warmup + args.iters
    results, method = dict(), None
    if args.device.startswith('cuda'):
        method = 'torch.cuda.max_memory_allocated'
        for name, spec in specs.items():
            for row in ROWS:
                gc.collect()
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats(args.device)
                before = torch.cuda.memory_allocated(args.device)
                case = build_case(spec, row, args.batch_size, args.num_classes,
                                  args.device, args.seed)
                run_steps(case, steps)
                synchronize(args.device)
                results[name, row] = (
                    torch.cuda.max_memory_allocated(args.device) - before)
                del case
        gc.collect()
        torch.cuda.empty_cache()
        return results, method

    if not os.path.exists('/proc/self/statm'):
        raise RuntimeError('CPU peak memory needs Linux /proc; run with '
                           '--no-memory elsewhere.')
    child_args = dict(
        batch_size=args.batch_size,
        num_classes=args.num_classes,
        seed=args.seed,
        steps=steps,
        threads=torch.get_num_threads())
    with _memory_pool() as pool:
        for name, spec in specs.items():
            for row in ROWS:
                out = pool.submit(_cpu_memory_child, spec, row,
                                  child_args).result()
                results[name, row] = out['peak']
                method = out['method']
    method = (f'{method} - RSS before build, one fresh process per row'
              if method else None)
    return results, method


# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------
def measure_time(spec, args) -> dict:
    """{row: [seconds per step, one entry per repeat]} of one backbone."""
    cases = {
        row:
        build_case(spec, row, args.batch_size, args.num_classes, args.device,
                   args.seed)
        for row in ROWS
    }
    for row in ROWS:
        run_steps(cases[row], args.warmup)
    synchronize(args.device)
    times = {row: [] for row in ROWS}
    for r in range(args.repeats):
        # rotate the order so that no row always runs first or last
        order = ROWS[r % len(ROWS):] + ROWS[:r % len(ROWS)]
        for row in order:
            synchronize(args.device)
            start = time.perf_counter()
            run_steps(cases[row], args.iters)
            synchronize(args.device)
            times[row].append((time.perf_counter() - start) / args.iters)
    del cases
    gc.collect()
    return times


def profile_ops(case, steps: int, device: str) -> dict:
    """{operator: self time per step in ms} over ``steps`` steps."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU]
    cuda = device.startswith('cuda')
    if cuda:
        activities.append(ProfilerActivity.CUDA)
    synchronize(device)
    with profile(activities=activities) as prof:
        run_steps(case, steps)
        synchronize(device)
    out = dict()
    for event in prof.key_averages():
        # on CUDA the kernels are what the step waits for
        us = (
            event.self_device_time_total
            if cuda else event.self_cpu_time_total)
        if us:
            out[event.key] = us / 1e3 / steps
    return out


def profile_difference(spec, args) -> list:
    """Operators sorted by the self time per step that ``args.profile``
    adds to the baseline: ``[(name, baseline ms, row ms)]``."""
    ops = dict()
    for row in (ROWS[0], args.profile):
        case = build_case(spec, row, args.batch_size, args.num_classes,
                          args.device, args.seed)
        run_steps(case, max(args.warmup, 1))
        ops[row] = profile_ops(case, args.iters, args.device)
        del case
        gc.collect()
    base, extra = ops[ROWS[0]], ops[args.profile]
    names = set(base) | set(extra)
    rows = [(n, base.get(n, 0.), extra.get(n, 0.)) for n in names]
    return sorted(rows, key=lambda r: r[1] - r[2])


def format_profile(name: str, row: str, diff: list, top: int) -> str:
    total_base = sum(b for _, b, _ in diff)
    total_row = sum(r for _, _, r in diff)
    lines = [
        f'{name}: self time per step, {ROW_TITLES[ROWS[0]]} '
        f'{total_base:.1f} ms, {ROW_TITLES[row]} {total_row:.1f} ms '
        f'({total_row / total_base:.3f}x)', '',
        '| operator | baseline (ms) | with heads (ms) | difference (ms) |',
        '| --- | ---: | ---: | ---: |'
    ]
    for op, b, r in diff[:top]:
        lines.append(f'| `{op}` | {b:.2f} | {r:.2f} | {r - b:+.2f} |')
    return '\n'.join(lines)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def summarize(times: dict, memory: dict, name: str) -> list:
    base = times[ROWS[0]]
    rows = []
    for row in ROWS:
        t = times[row]
        entry = dict(
            model=name,
            row=row,
            time_ms=1e3 * statistics.median(t),
            time_spread=(max(t) - min(t)) / statistics.median(t),
            time_ratio=statistics.median(a / b for a, b in zip(t, base)),
            peak_mib=None,
            memory_ratio=None)
        if memory:
            entry['peak_mib'] = memory[name, row] / 2**20
            entry['memory_ratio'] = memory[name, row] / memory[name, ROWS[0]]
        rows.append(entry)
    return rows


def format_table(results: list) -> str:
    lines = [
        '| model | heads | step (ms) | spread | time ratio | peak (MiB) '
        '| memory ratio |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ]
    for r in results:
        peak = ('n/a' if r['peak_mib'] is None else f"{r['peak_mib']:.1f}")
        mem_ratio = ('n/a' if r['memory_ratio'] is None else
                     f"{r['memory_ratio']:.3f}x")
        lines.append(f"| {r['model']} | {ROW_TITLES[r['row']]} "
                     f"| {r['time_ms']:.2f} | {100 * r['time_spread']:.1f}% "
                     f"| {r['time_ratio']:.3f}x | {peak} | {mem_ratio} |")
    return '\n'.join(lines)


def check_targets(results: list, tiny: bool) -> list:
    by_row = {r['row']: r for r in results if r['model'] == TARGET_MODEL}
    if not by_row:
        return []
    lines = []
    for row, metric, limit in TARGETS:
        key = 'time_ratio' if metric == 'time' else 'memory_ratio'
        value = by_row[row][key]
        if value is None:
            continue
        verdict = 'met' if value <= limit else 'MISSED'
        if tiny:
            verdict += ' (tiny models: not the target setting)'
        lines.append(f'target {TARGET_MODEL} {ROW_TITLES[row]} {metric} '
                     f'<= {limit:.2f}x: {value:.3f}x {verdict}')
    return lines


def device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(device)
    import platform
    name = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            name = next(
                line.split(':', 1)[1].strip() for line in f
                if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return f'CPU {name}, {torch.get_num_threads()} threads'


def main(argv=None):
    args = parse_args(argv)
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('--device cuda requested but CUDA is unavailable')
    if args.device.startswith('cuda'):
        # the batch is fixed: let cuDNN pick its fastest kernels
        torch.backends.cudnn.benchmark = True
    import mmrelvit  # noqa: F401  (compat layer)
    specs = {name: model_spec(name, args.tiny) for name in args.models}

    print(f'device: {device_name(args.device)} ({args.device}); '
          f'torch {torch.__version__}; batch {args.batch_size}; '
          f'warm-up {args.warmup}, {args.repeats} interleaved repeats of '
          f'{args.iters} steps{"; TINY models" if args.tiny else ""}')
    print('command: ' + ' '.join([os.path.relpath(sys.argv[0])] +
                                 (sys.argv[1:] if argv is None else argv)))
    sys.stdout.flush()

    if args.profile:
        out = dict()
        for name, spec in specs.items():
            out[name] = profile_difference(spec, args)
            print()
            print(
                format_profile(name, args.profile, out[name],
                               args.profile_top))
        return out

    memory, method = dict(), None
    if not args.no_memory:
        memory, method = measure_memory(specs, args)
    results = []
    for name, spec in specs.items():
        times = measure_time(spec, args)
        results += summarize(times, memory, name)
        print(f'timed {name}', file=sys.stderr, flush=True)

    print()
    print(format_table(results))
    print()
    print('time: median over repeats of the per-step time; ratio: median of '
          'per-repeat ratios to the first row; spread: (max - min) / median')
    if method:
        print(f'peak memory: {method}')
    for line in check_targets(results, args.tiny):
        print(line)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(
                    device=device_name(args.device),
                    args=vars(args),
                    memory_method=method,
                    results=results),
                f,
                indent=2)
    return results


if __name__ == '__main__':
    main()
