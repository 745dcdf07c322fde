"""Resumable studies: many ``tools/train.py`` runs, a few at a time.

A study is a list of :class:`Run` (an arm or an upstream, one seed, one
generated config). :class:`StudyRunner` trains them as separate processes,
keeps each run's log, reuses every run whose ``result.json`` was written
with the same settings, and prints progress and an ETA after every run.
"""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from .scalars import latest_scalars, read_scalars
from .tools import tool_env

TOP1 = 'accuracy/top1'


class NotTrained(Exception):
    """A run without a finished result, in a report-only study."""


class Run:
    """One training run: an arm (or an upstream) with one seed.

    Args:
        name (str): Arm or upstream name; with ``seed`` the run's key.
        seed (int): Random seed of the run.
        config (str): The config the generated config inherits.
        epochs (int): Training epochs.
        upstream (Run, optional): The run whose checkpoint this one starts
            from; it is trained first.
        is_upstream (bool): The run only provides a checkpoint (no
            validation metrics expected).
        cfg_options (Sequence[str]): ``KEY=VALUE`` overrides passed to
            ``tools/train.py``.
    """

    def __init__(self,
                 name,
                 seed,
                 config,
                 epochs,
                 upstream=None,
                 is_upstream=False,
                 cfg_options=()):
        self.name = name
        self.seed = seed
        self.config = config
        self.epochs = epochs
        self.upstream = upstream
        self.is_upstream = is_upstream
        self.cfg_options = list(cfg_options)
        self.work_dir = None

    @property
    def key(self):
        return f'{self.name}/seed{self.seed}'

    @property
    def checkpoint(self):
        return osp.join(self.work_dir, f'epoch_{self.epochs}.pth')


def settings_hash(config_text: str) -> str:
    """A run's identity: its generated config, which also records the
    run's command-line overrides (see :class:`StudyRunner`)."""
    return hashlib.sha1(config_text.encode()).hexdigest()[:12]


class StudyRunner:
    """Trains runs through ``tools/train.py``, ``jobs`` at a time.

    Args:
        runs (list[Run]): The runs; a run with ``upstream`` starts after it.
        make_config (callable): ``run -> config text`` (a config inheriting
            the run's config; it must record ``run.cfg_options``, e.g. in a
            comment, since its text is the run's identity).
        repo (str): Repository root (holds ``tools/train.py``).
        jobs (int): Runs trained in parallel.
        threads (int): ``OMP_NUM_THREADS`` of each run.
        force (bool): Retrain runs that have a ``result.json`` of the same
            settings.
        metrics (tuple[str]): Validation metrics read from scalars.json.
        summary (callable): ``result -> str`` for the progress lines.
        evaluate (callable, optional): ``run -> dict`` called once after a
            non-upstream run has trained (e.g. the accuracy on the training
            images); its result is stored under ``extra`` and reused.
        report_only (bool): Train nothing: return the finished runs and
            list the others in ``missing`` (a table of a study under way).
    """

    def __init__(self,
                 runs,
                 make_config: Callable,
                 repo: str,
                 jobs: int = 1,
                 threads: int = 1,
                 force: bool = False,
                 metrics=(TOP1, ),
                 summary: Optional[Callable] = None,
                 evaluate: Optional[Callable] = None,
                 report_only: bool = False):
        self.runs = runs
        self.make_config = make_config
        self.repo = repo
        self.jobs = jobs
        self.threads = threads
        self.force = force
        self.metrics = metrics
        self.summary = summary or (lambda result: '')
        self.evaluate = evaluate
        self.report_only = report_only
        self.missing = []
        self.lock = threading.Lock()
        self.done = 0
        self.started = time.time()
        self.failed = []

    def log(self, msg):
        with self.lock:
            elapsed = time.time() - self.started
            print(f'[{elapsed / 60:5.1f} min] {msg}', flush=True)

    def settings(self, run: Run) -> tuple:
        """``(config text, settings hash)`` of a run: the hash that its
        ``result.json`` must carry to be reused."""
        text = self.make_config(run)
        # the same run in another checkout (or on another machine) keeps
        # its identity: results can be carried between sessions
        return text, settings_hash(text.replace(self.repo, '<repo>'))

    def _reusable(self, result_path, settings):
        if self.force or not osp.isfile(result_path):
            return None
        with open(result_path) as f:
            result = json.load(f)
        return result if result.get('settings') == settings else None

    def _stored(self, run):
        """``(config text, settings, result path, reusable result or
        None)`` of a run."""
        text, settings = self.settings(run)
        result_path = osp.join(run.work_dir, 'result.json')
        return text, settings, result_path, self._reusable(
            result_path, settings)

    def _finished(self, run):
        return self._stored(run)[3] is not None

    def _checkpoint_needed(self, upstream):
        """An upstream's checkpoint is needed while a run starting from it
        has not finished (results may outlive checkpoints: only the
        ``result.json`` files of a study are small enough to keep)."""
        return any(not self._finished(r) for r in self.runs
                   if r.upstream is upstream)

    def _extra(self, run, result, result_path):
        if self.evaluate is None or run.is_upstream or 'extra' in result:
            return result
        result['extra'] = self.evaluate(run)
        with open(result_path, 'w') as f:
            json.dump(result, f, indent=1)
        return result

    def train(self, run: Run, wait_for=None) -> dict:
        if wait_for is not None:
            wait_for.result()  # raises if the upstream failed
        text, settings, result_path, result = self._stored(run)
        if (result is not None and run.is_upstream
                and not osp.isfile(run.checkpoint)
                and self._checkpoint_needed(run)):
            self.log(f'{run.key}: result kept but {run.checkpoint} is gone '
                     'and a run still needs it: training it again')
            result = None
        if result is not None and 'train_loss' not in result:
            # written before the loss curve was recorded
            result['train_loss'] = read_scalars(
                latest_scalars(run.work_dir), self.metrics)['train_loss']
        if result is not None:
            result = self._extra(run, result, result_path)
            self.finish(run, result, reused=True)
            return result
        if self.report_only:
            raise NotTrained(run.key)
        os.makedirs(run.work_dir, exist_ok=True)
        cfg_path = osp.join(run.work_dir, 'config.py')
        with open(cfg_path, 'w') as f:
            f.write(text)
        cmd = [
            sys.executable,
            osp.join(self.repo, 'tools', 'train.py'), cfg_path, '--work-dir',
            run.work_dir
        ]
        if run.cfg_options:
            cmd += ['--cfg-options'] + run.cfg_options
        log_path = osp.join(run.work_dir, 'train.log')
        self.log(f'start {run.key} ({run.epochs} epochs): log {log_path}')
        start = time.time()
        with open(log_path, 'w') as log:
            proc = subprocess.run(
                cmd,
                cwd=self.repo,
                env=tool_env(self.repo, self.threads),
                stdout=log,
                stderr=subprocess.STDOUT)
        wall = time.time() - start
        if proc.returncode != 0:
            with open(log_path) as f:
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
            },
            train_loss=scalars['train_loss'])
        if run.is_upstream and not osp.isfile(run.checkpoint):
            raise RuntimeError(f'{run.key} left no {run.checkpoint}')
        if not run.is_upstream and not result['epochs']:
            raise RuntimeError(f'{run.key} logged no {self.metrics}')
        with open(result_path, 'w') as f:
            json.dump(result, f, indent=1)
        result = self._extra(run, result, result_path)
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
        """Train every run; returns ``{run key: result}`` of those that
        finished (the failed ones are listed in ``failed``)."""
        futures = {}
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            # seed by seed (a first seed of every arm is ready early), the
            # upstreams of a seed first (a run waiting for its upstream never
            # blocks the upstream's own slot), then the runs that start from
            # them: they finish on the machine that holds the upstreams'
            # checkpoints, which a later session does not have
            order = sorted(
                self.runs,
                key=lambda r: (r.seed, not r.is_upstream, r.upstream is None))
            for run in order:
                # an upstream that is not a run of this study (a given
                # checkpoint) has no future to wait for
                wait_for = (
                    futures.get(run.upstream.key) if run.upstream else None)
                futures[run.key] = pool.submit(self.train, run, wait_for)
        results = {}
        for key, future in futures.items():
            try:
                results[key] = future.result()
            except NotTrained:
                self.missing.append(key)
            except Exception as err:  # reported below, keep the others
                if key not in self.failed:
                    self.failed.append(key)
                    self.log(f'{key} not trained: {err}')
        return results
