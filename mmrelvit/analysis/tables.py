"""Result rows and markdown tables of the small-data and detection
studies (``result`` dicts as written by :class:`StudyRunner`)."""
from typing import Optional

from .convergence import convergence
from .report import mean_std
from .runner import TOP1


def run_convergence(result: dict,
                    key: str = TOP1,
                    scale: float = 1.,
                    metric: str = 'test top-1') -> dict:
    """:func:`convergence` of one run's result: its ``key`` curve times
    ``scale`` (a detector's COCO mAP x100, to be judged in points), its
    training accuracy where measured and its loss curve."""
    epochs, loss = result.get('train_loss', ([], []))
    return convergence(
        result['epochs'], [scale * v for v in result['val'][key]],
        train_acc=result.get('extra', {}).get('train_top1'),
        loss_epochs=epochs,
        train_loss=loss,
        metric=metric)


def classification_rows(results: dict, arms: dict, planned_runs) -> list:
    """One row per arm: final and best top-1 over seeds, training top-1,
    convergence, SSL accuracies (of the upstream runs for a finetuned arm),
    curves, wall time.

    Args:
        results (dict): ``{run key: result}``.
        arms (dict): ``{arm: (title, config, upstream name or None, ...)}``
            in table order.
        planned_runs (list[Run]): The study's runs (epochs, upstreams).
    """
    planned = {(run.name, run.seed): run for run in planned_runs}
    rows = []
    for name, (title, _, upstream, *_) in arms.items():
        runs = sorted((r for r in results.values() if r['arm'] == name),
                      key=lambda r: r['seed'])
        if not runs:
            continue
        curves = [r['val'][TOP1] for r in runs]
        ups = [
            results[f"{upstream}/seed{r['seed']}"] for r in runs
            if f"{upstream}/seed{r['seed']}" in results
        ] if upstream is not None else []
        ssl = {}
        for key in sorted({k for r in (ups or runs) for k in r['train']}):
            if key.startswith('acc_'):
                ssl[key[4:]] = mean_std([
                    r['train'][key] for r in (ups or runs) if key in r['train']
                ])
        train = [
            r['extra']['train_top1'] for r in runs
            if 'train_top1' in r.get('extra', {})
        ]
        first = planned[name, runs[0]['seed']]
        epochs = str(first.epochs)
        if first.upstream is not None:
            epochs = f'{first.upstream.epochs} + {epochs}'
        rows.append(
            dict(
                arm=name,
                title=title,
                seeds=[r['seed'] for r in runs],
                total_epochs=epochs,
                final=mean_std([c[-1] for c in curves]),
                best=mean_std([max(c) for c in curves]),
                per_seed=[c[-1] for c in curves],
                train=mean_std(train) if train else None,
                converged=sum(run_convergence(r)['converged'] for r in runs),
                ssl=ssl,
                ssl_from='upstream ' if ups else '',
                epochs=runs[0]['epochs'],
                curves=curves,
                wall_s=mean_std([r['wall_s'] for r in runs])))
    return rows


def _vs(row: dict, base: Optional[dict]) -> str:
    """A row's per-seed values (``per_seed``) minus the supervised row's of
    the same seed, ``mean +- sample std`` over the seeds both rows have
    finished: whether an arm is ahead on every seed, not only on average.
    Names those seeds when the supervised row has more; empty for the
    supervised row itself or without one; the difference of the means,
    marked unpaired, where the rows share no seed.
    """
    if base is None or row is base:
        return ''
    base_of = dict(zip(base['seeds'], base['per_seed']))
    pairs = [(seed, value - base_of[seed])
             for seed, value in zip(row['seeds'], row['per_seed'])
             if seed in base_of]
    if not pairs:
        diff = mean_std(row['per_seed'])[0] - mean_std(base['per_seed'])[0]
        return f'{_signed(diff)} (unpaired)'
    mean, std = mean_std([d for _, d in pairs])
    text = _signed(mean) + ('' if len(pairs) == 1 else f' +- {std:.2f}')
    if len(pairs) < len(base['seeds']):
        seeds = '/'.join(str(seed) for seed, _ in pairs)
        text += f" (seed{'s' if len(pairs) > 1 else ''} {seeds})"
    return text


def _signed(value: float) -> str:
    """``+0.65``; a difference that rounds to zero is ``+0.00``, not the
    ``-0.00`` of a mean like -1e-15."""
    return f'{round(value, 2) + 0.0:+.2f}'


def _spread(mean_std: tuple, n: int) -> str:
    """``mean +- std`` over ``n`` seeds; one seed has no spread (no
    ``+- 0.00`` that reads as agreement)."""
    return f'{mean_std[0]:.2f}' + ('' if n == 1 else f' +- {mean_std[1]:.2f}')


def classification_table(rows: list) -> str:
    """Markdown table of :func:`classification_rows`."""
    base = next((r for r in rows if r['arm'] == 'supervised'), None)
    lines = [
        '| arm | epochs | final top-1 (%) | vs supervised (same seed) '
        '| train top-1 (%) '
        '| per seed (final) | converged | SSL train acc. (last epoch, %) '
        '| min / run |',
        '| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |',
    ]
    for r in rows:
        delta = _vs(r, base)
        ssl = '-'
        if r['ssl']:
            ssl = r['ssl_from'] + ', '.join(f'{k} {100 * m:.1f}'
                                            for k, (m, _) in r['ssl'].items())
        n = len(r['seeds'])
        train = '-' if r['train'] is None else _spread(r['train'], n)
        per_seed = ' / '.join(f'{v:.2f}' for v in r['per_seed'])
        lines.append(
            f"| {r['title']} | {r['total_epochs']} "
            f"| {_spread(r['final'], n)} | {delta} "
            f"| {train} | {per_seed} | {r['converged']}/{len(r['seeds'])} "
            f"| {ssl} | {r['wall_s'][0] / 60:.1f} |")
    return '\n'.join(lines)


def _gain_over_shorter(results: dict, runs, run) -> str:
    """Final top-1 of ``run`` minus that of the longest finished run of
    the same lr, weight decay, warm-up and seed with fewer epochs: what the
    extra epochs bought."""

    def recipe(r):
        return (r.cell['lr'], r.cell['weight_decay'], float(r.cell['warmup']),
                r.seed)

    shorter = [
        r for r in runs if r.key in results and recipe(r) == recipe(run)
        and r.epochs < run.epochs
    ]
    if not shorter:
        return '-'
    prev = max(shorter, key=lambda r: r.epochs)
    gain = (
        results[run.key]['val'][TOP1][-1] - results[prev.key]['val'][TOP1][-1])
    return f'{gain:+.2f} (vs {prev.epochs})'


def sweep_table(results: dict, runs) -> str:
    """Markdown table of a recipe sweep: one row per finished cell and
    seed (``run.cell`` as of :func:`cell_settings`), with the verdict of
    the convergence criterion and the gain of the cell over the same
    recipe trained for fewer epochs."""
    lines = [
        '| epochs | lr | weight decay | warm-up | seed | final top-1 (%) '
        '| train top-1 (%) | test move, last 20 % (points) '
        '| loss drop, last 20 % | final top-1 vs fewer epochs (points) '
        '| converged | min |',
        '| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: '
        '| --- | ---: |'
    ]
    for run in runs:
        r = results.get(run.key)
        if r is None:
            continue
        c = run_convergence(r)
        train = r.get('extra', {}).get('train_top1')
        cell = run.cell
        move = '-' if c['test_move'] is None else f"{c['test_move']:.2f}"
        drop = '-' if c['loss_drop'] is None else f"{c['loss_drop']:.1%}"
        lines.append(
            f"| {run.epochs} | {cell['lr']:g} | {cell['weight_decay']:g} "
            f"| {float(cell['warmup']):g} "
            f"| {run.seed} | {r['val'][TOP1][-1]:.2f} "
            f"| {'-' if train is None else f'{train:.2f}'} | {move} "
            f"| {drop} | {_gain_over_shorter(results, runs, run)} "
            f"| {'yes' if c['converged'] else 'no: ' + c['reason']} "
            f"| {r['wall_s'] / 60:.1f} |")
    return '\n'.join(lines)


def detection_rows(results: dict, titles: dict, metrics: dict) -> list:
    """One row per arm: the final COCO metrics (x100) over seeds and the
    convergence of the box mAP curves.

    A detector has no training accuracy: :func:`convergence` judges its
    box mAP curve (x100, so its ``max_move`` is in mAP points) and, for the
    fitted half, its training loss.

    Args:
        results (dict): ``{run key: result}``.
        titles (dict): ``{arm: title}`` in table order.
        metrics (dict): ``{'bbox' | 'segm' | 'bbox50': scalars key}``.
    """
    rows = []
    for arm, title in titles.items():
        runs = sorted((r for r in results.values() if r['arm'] == arm),
                      key=lambda r: r['seed'])
        if not runs:
            continue
        checks = [
            run_convergence(r, metrics['bbox'], scale=100, metric='box mAP')
            for r in runs
        ]
        moves = [c['test_move'] for c in checks if c['test_move'] is not None]
        rows.append(
            dict(
                arm=arm,
                title=title,
                seeds=[r['seed'] for r in runs],
                **{
                    key: mean_std([100 * r['val'][m][-1] for r in runs])
                    for key, m in metrics.items()
                },
                per_seed=[100 * r['val'][metrics['bbox']][-1] for r in runs],
                converged=sum(c['converged'] for c in checks),
                move=max(moves) if moves else None,
                # per seed: the reasons of different seeds differ in their
                # numbers, and a reader must find the run behind each
                reasons=[(r['seed'], c['reason'])
                         for r, c in zip(runs, checks) if c['reason']],
                wall_s=mean_std([r['wall_s'] for r in runs])))
    return rows


def detection_table(rows: list) -> str:
    """Markdown table of :func:`detection_rows`."""
    base = next((r for r in rows if r['arm'] == 'supervised'), None)
    lines = [
        '| backbone | box mAP | vs supervised (same seed) | mask mAP '
        '| box AP50 '
        '| box mAP per seed | box mAP move, last 20 % (points, worst seed) '
        '| converged | min / run |',
        '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    ]
    reasons = []
    for r in rows:
        delta = _vs(r, base)
        n = len(r['per_seed'])
        move = '-' if r['move'] is None else f"{r['move']:.2f}"
        lines.append(f"| {r['title']} | {_spread(r['bbox'], n)} "
                     f"| {delta} | {_spread(r['segm'], n)} "
                     f"| {_spread(r['bbox50'], n)} "
                     f"| {' / '.join(f'{v:.2f}' for v in r['per_seed'])} "
                     f"| {move} | {r['converged']}/{n} "
                     f"| {r['wall_s'][0] / 60:.1f} |")
        reasons += [
            f"{r['title']}, seed {seed}: {why}" for seed, why in r['reasons']
        ]
    if reasons:
        lines += ['', 'Not converged: ' + '; '.join(reasons) + '.']
    return '\n'.join(lines)
