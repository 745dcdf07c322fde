"""The repository's ``tools/*.py`` as child processes of a study."""
import json
import os
import os.path as osp
import subprocess
import sys


def tool_env(repo: str, threads: int) -> dict:
    env = dict(os.environ)
    env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(threads)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (repo, env.get('PYTHONPATH')) if p)
    return env


def test_checkpoint(repo: str,
                    config: str,
                    checkpoint: str,
                    work_dir: str,
                    threads: int = 1) -> dict:
    """Evaluate a checkpoint with ``tools/test.py``.

    Args:
        repo (str): Repository root (holds ``tools/test.py``).
        config (str): Test config path.
        checkpoint (str): Checkpoint path.
        work_dir (str): Where the test writes its log (``test.log`` too).
        threads (int): ``OMP_NUM_THREADS`` of the process.

    Returns:
        dict: The metrics ``tools/test.py`` printed.
    """
    os.makedirs(work_dir, exist_ok=True)
    cmd = [
        sys.executable,
        osp.join(repo, 'tools', 'test.py'), config, checkpoint, '--work-dir',
        work_dir
    ]
    log_path = osp.join(work_dir, 'test.log')
    with open(log_path, 'w') as log:
        proc = subprocess.run(
            cmd,
            cwd=repo,
            env=tool_env(repo, threads),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True)
        log.write(proc.stdout)
    lines = [
        line for line in proc.stdout.splitlines()
        if line.startswith('metrics: ')
    ]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f'tools/test.py {config} {checkpoint} failed '
                           f'(exit {proc.returncode}); log {log_path}')
    return json.loads(lines[-1][len('metrics: '):])
