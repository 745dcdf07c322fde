"""StudyRunner's reuse rules, with a stand-in ``tools/train.py`` that logs
what it trained (the rules, not the training, are under test)."""
import json
import os
import os.path as osp

from mmrelvit.analysis import Run, StudyRunner

FAKE_TRAIN = '''
import json, os, re, sys
cfg, work_dir = sys.argv[1], sys.argv[sys.argv.index('--work-dir') + 1]
epochs = int(re.search(r'max_epochs=(\\d+)', open(cfg).read()).group(1))
with open(os.environ['CALLS'], 'a') as f:
    f.write(work_dir + '\\n')
vis = os.path.join(work_dir, '20260101_000000', 'vis_data')
os.makedirs(vis, exist_ok=True)
with open(os.path.join(vis, 'scalars.json'), 'w') as f:
    for e in range(1, epochs + 1):
        f.write(json.dumps(dict(loss=1.0 / e, epoch=e, iter=e, step=e)))
        f.write('\\n' + json.dumps({'accuracy/top1': 50.0 + e, 'step': e}))
        f.write('\\n')
open(os.path.join(work_dir, 'epoch_%d.pth' % epochs), 'w').close()
'''


def make_repo(root):
    os.makedirs(root / 'tools')
    (root / 'tools' / 'train.py').write_text(FAKE_TRAIN)
    return str(root)


def plan(work):
    up = Run('upstream', 0, 'up.py', 2, is_upstream=True)
    down = Run('finetune', 0, 'ft.py', 3, upstream=up)
    for run in (up, down):
        run.work_dir = osp.join(work, run.name, 'seed0')
    return [up, down]


def config(repo):

    def make(run):
        lines = [
            f"_base_ = ['{repo}/configs/{run.config}']",
            f'max_epochs={run.epochs}'
        ]
        if run.upstream is not None:
            lines.append(f'load_from = {run.upstream.checkpoint!r}')
        return '\n'.join(lines) + '\n'

    return make


def calls(path):
    return [
        osp.basename(osp.dirname(line)) for line in path.read_text().split()
    ] if path.exists() else []


def test_reuse_survives_a_moved_checkout_and_lost_checkpoints(
        tmp_path, monkeypatch):
    log = tmp_path / 'calls.txt'
    monkeypatch.setenv('CALLS', str(log))
    repo = make_repo(tmp_path / 'repo')
    work = osp.join(repo, 'studies')
    results = StudyRunner(plan(work), config(repo), repo).execute()
    assert calls(log) == ['upstream', 'finetune']
    assert results['finetune/seed0']['val']['accuracy/top1'] == [51, 52, 53]

    # a later session: another checkout path, only result.json files kept
    # (checkpoints are not carried): nothing is trained again
    moved = tmp_path / 'moved'
    os.rename(repo, moved)
    repo = str(moved)
    work = osp.join(repo, 'studies')
    for name, epochs in (('upstream', 2), ('finetune', 3)):
        os.remove(osp.join(work, name, 'seed0', f'epoch_{epochs}.pth'))
    log.unlink()
    StudyRunner(plan(work), config(repo), repo).execute()
    assert calls(log) == []

    # the finetune run's result is gone (or stale): its upstream's
    # checkpoint is needed again, so the upstream retrains first
    os.remove(osp.join(work, 'finetune', 'seed0', 'result.json'))
    runner = StudyRunner(plan(work), config(repo), repo)
    runner.execute()
    assert calls(log) == ['upstream', 'finetune']
    assert not runner.failed


def test_changed_settings_retrain(tmp_path, monkeypatch):
    log = tmp_path / 'calls.txt'
    monkeypatch.setenv('CALLS', str(log))
    repo = make_repo(tmp_path / 'repo')
    work = osp.join(repo, 'studies')
    result_path = osp.join(work, 'upstream', 'seed0', 'result.json')
    StudyRunner(plan(work)[:1], config(repo), repo).execute()
    with open(result_path) as f:
        before = json.load(f)['settings']
    StudyRunner(plan(work)[:1], config(repo), repo).execute()
    assert calls(log) == ['upstream']
    runs = plan(work)[:1]
    runs[0].epochs = 4
    StudyRunner(runs, config(repo), repo).execute()
    assert calls(log) == ['upstream', 'upstream']
    with open(result_path) as f:
        assert json.load(f)['settings'] != before


def test_order_upstreams_then_their_runs_then_the_rest(tmp_path, monkeypatch):
    log = tmp_path / 'calls.txt'
    monkeypatch.setenv('CALLS', str(log))
    repo = make_repo(tmp_path / 'repo')
    work = osp.join(repo, 'studies')
    runs = []
    for seed in (1, 0):
        other = Run('other', seed, 'other.py', 1)
        up = Run('upstream', seed, 'up.py', 1, is_upstream=True)
        down = Run('finetune', seed, 'ft.py', 1, upstream=up)
        for run in (other, up, down):
            run.work_dir = osp.join(work, run.name, f'seed{seed}')
        runs += [other, up, down]
    StudyRunner(runs, config(repo), repo, jobs=1).execute()
    seeds = [osp.basename(line) for line in log.read_text().split()]
    assert [f'{n}/{s}' for n, s in zip(calls(log), seeds)] == [
        'upstream/seed0', 'finetune/seed0', 'other/seed0', 'upstream/seed1',
        'finetune/seed1', 'other/seed1'
    ]
