"""Tables, plots and generated documentation blocks of a study."""
import os
import os.path as osp
import shlex
import sys
import textwrap
import time

import numpy as np


def mean_std(values) -> tuple:
    """Mean and sample standard deviation (0 for a single value)."""
    values = np.asarray(values, dtype=float)
    std = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(std)


def command_line(script: str, repo: str, argv=None) -> str:
    """The shell command that reproduces this call of ``script``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return ' '.join(
        shlex.quote(str(a))
        for a in ['python', osp.relpath(script, repo)] + argv)


def plot_curves(rows: list,
                path: str,
                title: str,
                ylabel: str = 'test top-1 (%)') -> None:
    """Mean (+- std over seeds) validation curve of every row.

    Args:
        rows (list[dict]): Each with ``title``, ``epochs`` (list[int]) and
            ``curves`` (one list of values per seed).
        path (str): The PNG to write.
        title (str): Plot title.
        ylabel (str): Label of the y axis.
    """
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
    ax.set_ylabel(ylabel)
    # long study settings wrap instead of running off the figure
    ax.set_title(textwrap.fill(title, 100), fontsize=8)
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


def provenance(runner, wall: float, results: dict) -> str:
    """The line that introduces a study's command in its generated block.

    Args:
        runner (StudyRunner): The runner of the study (``report_only``,
            ``jobs`` and ``threads`` are read).
        wall (float): Seconds this call took.
        results (dict): ``{run key: result}``; their ``wall_s`` are summed.
    """
    day = time.strftime('%Y-%m-%d')
    train_min = sum(r['wall_s'] for r in results.values()) / 60
    if runner.report_only:
        return (f"Table rebuilt from the runs' result.json files ({day}; "
                f'{train_min:.1f} min of training summed over the runs); '
                'the same command without `--report-only` trains them '
                '(one job x one thread per core):')
    return (f'Command ({day}; {wall / 60:.1f} min wall for this call, '
            f'{train_min:.1f} min of training summed over the runs, '
            f'{runner.jobs} job(s) x {runner.threads} thread(s)):')


def run_status(runner) -> str:
    """The failed and the not yet trained runs of a study, as paragraphs
    to end its generated block ('' when every run finished)."""
    text = ''
    if runner.failed:
        text += f'\n\nFailed runs: {", ".join(runner.failed)}'
    if runner.missing:
        text += ('\n\nNot trained yet (the study is under way): '
                 f'{", ".join(runner.missing)}')
    return text


def print_missing(runner) -> None:
    """Print the runs that a ``--report-only`` call found unfinished."""
    if runner.missing:
        print(f'not trained yet: {", ".join(runner.missing)}')
