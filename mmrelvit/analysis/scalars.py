"""Reading mmengine's ``vis_data/scalars.json`` of a finished run."""
import json
import os
import os.path as osp
from collections import defaultdict

import numpy as np


def latest_scalars(work_dir: str) -> str:
    """``scalars.json`` of the newest mmengine log directory of a run.

    Args:
        work_dir (str): The run's work directory (one timestamped log
            directory per start of the run).

    Returns:
        str: The path of the newest ``<stamp>/vis_data/scalars.json``.
    """
    stamps = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    if not stamps:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    return osp.join(work_dir, stamps[-1], 'vis_data', 'scalars.json')


def read_scalars(path: str, metrics=('accuracy/top1', )) -> dict:
    """Validation curves and training metrics from ``scalars.json``.

    Args:
        path (str): A ``scalars.json`` written by mmengine's
            ``LocalVisBackend``.
        metrics (Sequence[str]): Validation metrics to read.

    Returns:
        dict: ``epochs`` (the step of each validation, in log order),
        ``val``: ``{metric: values}`` for each of ``metrics``, ``train``:
        every numeric training key (``loss_*``, ``acc_*``, ...) averaged
        over the logs of the last training epoch, and ``train_loss``:
        ``(epochs, mean loss of each epoch)`` over the whole run.
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
    per_epoch = defaultdict(list)
    for e in train:
        if isinstance(e.get('loss'), float):
            per_epoch[e.get('epoch', 0)].append(e['loss'])
    loss_epochs = sorted(per_epoch)
    last = max((e.get('epoch', 0) for e in train), default=0)
    train = [e for e in train if e.get('epoch', 0) == last]
    keys = {k for e in train for k in e}
    means = {
        k: float(np.mean([e[k] for e in train if k in e]))
        for k in keys if all(isinstance(e.get(k, 0.), float) for e in train)
    }
    return dict(
        epochs=epochs,
        val=val,
        train=means,
        train_loss=(loss_epochs,
                    [float(np.mean(per_epoch[e])) for e in loss_epochs]))
