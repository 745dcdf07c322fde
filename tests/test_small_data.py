"""The small-data study driver end to end: 1 seed, 1 epoch, 100 images of
a synthetic Fashion-MNIST written by the test."""
import json
import os.path as osp

import numpy as np
import pytest
from conftest import REPO, run_tool
from mmengine.config import Config

from mmrelvit.analysis.tables import sweep_table
from mmrelvit.datasets.fashion_mnist import write_idx

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'small_data_study.py')
ARMS = ('supervised', 'drloc', 'relvit-joint', 'relvit-finetune')


def fake_fashion_mnist(root):
    rng = np.random.RandomState(0)
    for prefix, n in (('train', 200), ('t10k', 100)):
        labels = np.arange(n) % 10
        # class-dependent blobs, so that accuracy is well defined
        images = rng.randint(0, 60, (n, 28, 28))
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 8, 4:24] = 220
        write_idx(str(root / f'{prefix}-images-idx3-ubyte.gz'), images)
        write_idx(str(root / f'{prefix}-labels-idx1-ubyte.gz'), labels)


def test_study_one_seed_one_epoch(tmp_path):
    data = tmp_path / 'fmnist'
    data.mkdir()
    fake_fashion_mnist(data)
    work, out = tmp_path / 'work', tmp_path / 'docs'
    doc = out / 'small_data.md'
    out.mkdir()
    doc.write_text('# Study\n\nintro kept\n')
    args = [
        TOOL, '--seeds', '0', '--epochs', '1', '--num-train', '100',
        '--num-test', '100', '--data-root', data, '--work-dir', work,
        '--out-dir', out, '--doc', doc, '--jobs', '2'
    ]
    proc = run_tool(args, timeout=600)
    assert '5 runs (1 upstream)' in proc.stdout

    # every arm trained once through tools/train.py and logged its curve
    results = json.loads((work / 'results.json').read_text())['runs']
    assert sorted(results) == sorted([f'{a}/seed0' for a in ARMS] +
                                     ['relvit-upstream/seed0'])
    for arm in ARMS:
        res = results[f'{arm}/seed0']
        assert res['epochs'] == [1]
        assert 0 <= res['val']['accuracy/top1'][0] <= 100
        # the final model measured on its 100 training images
        assert 0 <= res['extra']['train_top1'] <= 100
        assert (work / arm / 'seed0' / 'train_eval' / 'test.log').is_file()
        assert res['train_loss'][0] == [1]
    assert 'acc_relation' in results['relvit-joint/seed0']['train']
    assert 'acc_position' in results['relvit-upstream/seed0']['train']
    assert 'loss_drloc' in results['drloc/seed0']['train']
    assert results['relvit-upstream/seed0']['epochs'] == []

    # the arms differ only in the model: same data, schedule, seed
    cfgs = {
        arm: Config.fromfile(str(work / arm / 'seed0' / 'config.py'))
        for arm in ARMS
    }
    for arm, cfg in cfgs.items():
        for key in ('train_dataloader', 'val_dataloader', 'train_cfg',
                    'param_scheduler', 'optim_wrapper', 'randomness'):
            assert cfg[key] == cfgs['supervised'][key], (arm, key)
    assert cfgs['supervised'].train_dataloader.dataset.num_samples == 100
    # the finetune arm starts from its seed's upstream checkpoint
    init = cfgs['relvit-finetune'].model.backbone.init_cfg
    assert init.checkpoint == str(work / 'relvit-upstream' / 'seed0' /
                                  'epoch_1.pth')
    assert osp.isfile(init.checkpoint)
    log = (work / 'relvit-finetune' / 'seed0' / 'train.log').read_text()
    assert 'epoch_1.pth' in log

    # outputs: table, plot, generated doc section
    table = (out / 'small_data_table.md').read_text()
    assert table.count('\n') == 2 + len(ARMS)
    # one seed: no spread printed
    assert '+-' not in table
    assert '| train top-1 (%) |' in table and '| 0/1 |' in table
    # the finetuned arm reports its upstream's SSL accuracies
    assert 'upstream position' in table.splitlines()[-1]
    png = (out / 'small_data_curves.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000
    text = doc.read_text()
    assert text.startswith('# Study\n\nintro kept\n')
    assert '--num-train 100' in text and table.strip() in text
    assert '](small_data_curves.png)' in text

    # a second call reuses the finished runs and rewrites the section once
    proc = run_tool(args, timeout=300)
    assert proc.stdout.count('(reused)') == 5
    assert doc.read_text().count('small_data_study:begin') == 1

    # a study under way: a table of the finished runs, nothing trained
    proc = run_tool(
        args[:2] + ['1', '0'] + args[3:] + ['--report-only'], timeout=300)
    assert proc.stdout.count('(reused)') == 5
    assert 'start ' not in proc.stdout
    assert not (work / 'supervised' / 'seed1').exists()
    assert 'Not trained yet (the study is under way): relvit-upstream/seed1' \
        in doc.read_text()
    assert "Table rebuilt from the runs' result.json" in doc.read_text()


def load_det_tool():
    import importlib.util
    path = osp.join(REPO, 'tools', 'analysis_tools', 'det_digits_study.py')
    spec = importlib.util.spec_from_file_location('det_digits_study', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_det_result(tool, arm, seed, bbox, early):
    """A detector's result.json: evaluated every epoch of 10; the box mAP
    of epochs 9 and 10 (the last 20 %) is ``bbox``, that of epoch 8
    ``early``."""
    curve = [0.1] * 7 + [early, bbox, bbox]
    return dict(
        arm=arm,
        seed=seed,
        wall_s=60.,
        epochs=list(range(1, 11)),
        val={
            tool.BBOX: curve,
            tool.SEGM: [v / 2 for v in curve],
            tool.BBOX50: [2 * v for v in curve]
        },
        train_loss=[list(range(1, 11)), [1.0] * 10])


def test_det_study_plan_configs_and_table(tmp_path, capsys):
    tool = load_det_tool()
    work = tmp_path / 'work'
    runs = tool.main([
        '--dry-run', '--seeds', '0', '1', '--epochs', '6', '--data-root',
        str(tmp_path / 'digits'), '--work-dir',
        str(work), '--train-scenes', '50'
    ])
    assert '10 runs (4 pretraining)' in capsys.readouterr().out
    by_key = {r.key: r for r in runs}
    # each seed's detectors start from that seed's pretraining
    assert by_key['relvit-pre/seed1'].upstream is by_key['pre-relvit/seed1']
    assert by_key['relvit-joint/seed1'].upstream is \
        by_key['pre-supervised/seed1']
    text = (work / 'relvit-pre' / 'seed1' / 'config.py').read_text()
    assert by_key['pre-relvit/seed1'].checkpoint in text
    assert by_key['pre-relvit/seed1'].checkpoint.endswith(
        'pre-relvit/seed1/epoch_30.pth')
    # the 8-epoch digits recipe's steps (5/8, 7/8) scaled to 6 epochs
    assert 'milestones=[4, 5]' in text and 'indices' in text
    # the study's scenes: 64x64 plain by default, the model and the
    # pipelines follow the scene size
    det = Config.fromfile(str(work / 'relvit-pre' / 'seed1' / 'config.py'))
    root = str(tmp_path / 'digits' / 'det-64px-plain-20-40x3') + '/'
    assert det.train_dataloader.dataset.data_root == root
    assert det.val_evaluator.ann_file.startswith(root)
    assert det.model.backbone.img_size == 64
    for loader in (det.train_dataloader, det.val_dataloader):
        resize = [t for t in loader.dataset.pipeline if t['type'] == 'Resize']
        assert [t['scale'] for t in resize] == [(64, 64)]
    # one lr for backbone, neck and heads (10x on the heads killed them)
    assert not any(
        'lr_mult' in v
        for v in det.optim_wrapper.paramwise_cfg.custom_keys.values())
    for bad in (['--digit-size', '40', '20'], ['--scene-size',
                                               '32'], ['--max-digits', '0']):
        with pytest.raises(SystemExit):
            tool.parse_args(bad)
    shared = tool.plan_runs(
        tool.parse_args(['--seeds', '0', '1', '2', '--shared-pretrain']))
    assert sum(r.is_upstream for r in shared) == 2

    pre = Config.fromfile(str(work / 'pre-supervised' / 'seed0' / 'config.py'))
    assert pre.train_cfg.max_epochs == 30
    assert pre.train_dataloader.dataset.data_root.endswith('digits/cls/')
    up = Config.fromfile(str(work / 'pre-relvit' / 'seed0' / 'config.py'))
    assert up.model.head is None and up.val_dataloader is None

    results = {
        f'{a}/seed{s}':
        fake_det_result(tool, a, s, b + 0.01 * s, b + 0.01 * s - early)
        for a, b, early in (('supervised', 0.3, 0.), ('relvit-pre', 0.35,
                                                      0.02))
        for s in (0, 1)
    }
    rows = tool.aggregate(results, ['supervised', 'relvit-pre'])
    table = tool.format_table(rows)
    # the last 20 % of 10 epochs: evaluations 8, 9, 10; a flat loss
    assert '| Supervised-pretrained | 30.50 +- 0.71 |  | 15.25 +- 0.35' \
        in table
    assert '| 30.00 / 31.00 | 0.00 | 2/2 |' in table
    # paired by seed: ahead by 5 on both seeds
    assert ('| RelViT-pretrained (SSL upstream) | 35.50 +- 0.71 '
            '| +5.00 +- 0.00 |') in table
    assert '| 35.00 / 36.00 | 2.00 | 0/2 |' in table
    for seed in (0, 1):
        assert (f'RelViT-pretrained (SSL upstream), seed {seed}: box mAP '
                'moved 2.00 points over the last 20% of the epochs') in table
    assert 'Supervised-pretrained, seed' not in table


def test_det_study_given_pretraining_is_reused_not_trained(tmp_path, capsys):
    tool = load_det_tool()
    ckpt = tmp_path / 'sup.pth'
    ckpt.write_bytes(b'x')
    args = tool.parse_args([
        '--seeds', '0', '1', '--arms', 'supervised', 'relvit-joint',
        'relvit-pre', '--pretrained', f'pre-supervised={ckpt}', '--work-dir',
        str(tmp_path / 'work')
    ])
    runs = tool.plan_runs(args)
    # only the RelViT upstream is trained (once per seed)
    assert sorted(r.key for r in runs if r.is_upstream) == [
        'pre-relvit/seed0', 'pre-relvit/seed1'
    ]
    joint = next(r for r in runs if r.key == 'relvit-joint/seed1')
    assert joint.upstream.checkpoint == str(ckpt)
    assert f'checkpoint={str(ckpt)!r}' in tool.config_text(joint, args)
    for bad in ('pre-unknown=' + str(ckpt), 'pre-relvit=/no/such.pth',
                str(ckpt)):
        with pytest.raises(SystemExit):
            tool.parse_args(['--pretrained', bad])

    # one checkpoint per seed (e.g. the digits study's converged runs)
    for seed in (0, 1):
        (tmp_path / f'seed{seed}').mkdir()
        (tmp_path / f'seed{seed}' / 'epoch_100.pth').write_bytes(b'x')
    per_seed = str(tmp_path / 'seed{seed}' / 'epoch_100.pth')
    args = tool.parse_args([
        '--seeds', '0', '1', '--arms', 'supervised', '--pretrained',
        f'pre-supervised={per_seed}', '--work-dir',
        str(tmp_path / 'work')
    ])
    runs = tool.plan_runs(args)
    assert not any(r.is_upstream for r in runs)
    assert [r.upstream.checkpoint for r in runs] == [
        str(tmp_path / f'seed{s}' / 'epoch_100.pth') for s in (0, 1)
    ]
    # every epoch is evaluated (the convergence check needs the curve)
    assert 'val_interval=1)' in tool.config_text(runs[0], args)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        tool.parse_args([
            '--seeds', '0', '2', '--pretrained', f'pre-supervised={per_seed}'
        ])
    assert f'no file {tmp_path}/seed2/epoch_100.pth' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.parse_args(
            ['--pretrained', 'pre-supervised=' + per_seed + '{run}'])
    assert 'only {seed} may be substituted' in capsys.readouterr().err


def test_det_study_report_only_tabulates_finished_runs(tmp_path, capsys):
    tool = load_det_tool()
    ckpt = tmp_path / 'seed{seed}.pth'
    for seed in (0, 1):
        (tmp_path / f'seed{seed}.pth').write_bytes(b'x')
    work, doc = tmp_path / 'work', tmp_path / 'doc.md'
    argv = [
        '--seeds', '0', '1', '--arms', 'supervised', 'relvit-pre', '--epochs',
        '10', '--pretrained', f'pre-supervised={ckpt}', '--pretrained',
        f'pre-relvit={ckpt}', '--data-root',
        str(tmp_path / 'digits'), '--work-dir',
        str(work), '--out-dir',
        str(tmp_path / 'out'), '--doc',
        str(doc), '--report-only'
    ]
    args = tool.parse_args(argv)
    # seed 0 finished; seed 1 of RelViT has a result of other settings
    # (e.g. another detector length), which must not be tabulated
    runs = tool.plan_runs(args)
    runner = tool.make_runner(args, runs)
    for run in runs:
        if run.key == 'supervised/seed1':
            continue
        settings = runner.settings(run)[1]
        if run.seed == 1:
            settings = 'other'
        run_dir = work / run.name / f'seed{run.seed}'
        run_dir.mkdir(parents=True)
        result = fake_det_result(tool, run.name, run.seed, 0.3, 0.3)
        (run_dir / 'result.json').write_text(
            json.dumps(dict(result, settings=settings)))
    capsys.readouterr()
    tool.main(argv)
    out = capsys.readouterr().out
    assert 'start ' not in out and out.count('(reused)') == 2
    assert 'not trained yet: supervised/seed1, relvit-pre/seed1' in out
    # nothing generated or trained for the missing runs
    assert not (tmp_path / 'digits').exists()
    assert not (work / 'supervised' / 'seed1').exists()
    text = doc.read_text()
    assert "Table rebuilt from the runs' result.json" in text
    assert '--report-only' in text
    assert ('Not trained yet (the study is under way): supervised/seed1, '
            'relvit-pre/seed1') in text
    # one seed per arm, its box mAP
    assert '| Supervised-pretrained | 30.00 |' in text
    assert '| RelViT-pretrained (SSL upstream) | 30.00 | +0.00 |' in text


def test_fix_candidate_configs_train_one_step(tmp_path):
    """The joint-RelViT fix candidates and the no-positional-embedding
    control (not in the default arms, so not in the end-to-end run) build
    their pipeline and model and train a step."""
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS, MODELS

    import mmrelvit.datasets  # noqa: F401
    import mmrelvit.models  # noqa: F401
    fake_fashion_mnist(tmp_path)
    for fix in ('nopos', 'perm', 'control'):
        name = ('vit-tiny-p4-nopos'
                if fix == 'control' else f'vit-tiny-p4-relvit-joint-{fix}')
        cfg = Config.fromfile(
            osp.join(REPO, 'configs', 'small_data',
                     f'{name}_1xb64_fmnist2k.py'))
        cfg.train_dataloader.dataset.update(
            data_root=str(tmp_path), num_samples=20)
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            dataset = DATASETS.build(cfg.train_dataloader.dataset)
            model = MODELS.build(cfg.model)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        torch.manual_seed(0)
        np.random.seed(0)
        batch = pseudo_collate([dataset[i] for i in range(8)])
        losses = model.train_step(batch, optim)
        assert torch.isfinite(losses['loss'])
        heads = ({'loss_cls'} if fix == 'control' else
                 {'loss_cls', 'loss_relation', 'loss_position'})
        assert {k for k in losses if k.startswith('loss_')} == heads
        assert model.backbone.use_pos_embed == (fix == 'perm')
        if fix == 'perm':
            perms = [s.patch_perm for s in batch['data_samples']]
            assert all(sorted(p.tolist()) == list(range(49)) for p in perms)
            # about half of the images are shuffled
            assert 0 < sum(
                (p != np.arange(49)).any() for p in perms) < len(perms)


def load_study_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location('small_data_study', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('dataset', ['fmnist', 'digits'])
def test_study_plans_every_arm(dataset, tmp_path):
    tool = load_study_tool()
    arms = list(tool.DATASETS[dataset]['arms'])
    args = tool.parse_args([
        '--dataset', dataset, '--arms', *arms, '--seeds', '0', '1', '--epochs',
        '9', '--upstream-epochs', '9', '--num-train', '1000', '--work-dir',
        str(tmp_path)
    ])
    runs = {r.key: r for r in tool.plan_runs(args)}
    # 7 arms + 2 upstreams (the papers' and the half one) per seed
    assert len(runs) == 2 * 9
    # same total epochs: the matched arm's upstream and finetune add to 9
    matched = runs['relvit-finetune-matched/seed1']
    assert matched.upstream is runs['relvit-upstream-half/seed1']
    assert (matched.upstream.epochs, matched.epochs) == (4, 5)
    # the papers' protocol: 9 upstream + 9 finetune epochs
    paper = runs['relvit-finetune/seed1']
    assert (paper.upstream.epochs, paper.epochs) == (9, 9)
    assert runs['supervised/seed0'].epochs == 9
    cfgs = {}
    for key in ('supervised/seed0', 'supervised-nopos/seed0',
                'relvit-joint-nopos/seed0', 'relvit-finetune-matched/seed1'):
        path = tmp_path / (key.replace('/', '_') + '.py')
        path.write_text(tool.run_config_text(runs[key], args))
        cfgs[key] = Config.fromfile(str(path))
    backbone = cfgs['supervised/seed0'].model.backbone
    assert backbone.get('use_pos_embed', True)
    assert not cfgs['supervised-nopos/seed0'].model.backbone.use_pos_embed
    joint = cfgs['relvit-joint-nopos/seed0'].model
    assert not joint.backbone.use_pos_embed
    assert {'relation', 'position'} <= set(joint.aux_heads)
    ft = cfgs['relvit-finetune-matched/seed1']
    assert ft.model.backbone.init_cfg.checkpoint == osp.join(
        str(tmp_path), 'relvit-upstream-half', 'seed1', 'epoch_4.pth')
    assert ft.train_cfg.max_epochs == 5
    assert ft.param_scheduler[0].end == 5
    # the schedule and data are the supervised arm's
    for key in ('train_dataloader', 'val_dataloader', 'optim_wrapper'):
        assert ft[key] == cfgs['supervised/seed0'][key], key
    # 20 evaluations per run by default
    assert cfgs['supervised/seed0'].train_cfg.val_interval == 1
    if dataset == 'fmnist':
        assert cfgs['supervised/seed0'].train_dataloader.dataset \
            .num_samples == 1000
    else:
        assert cfgs['supervised/seed0'].train_dataloader.dataset \
            .data_root.endswith(osp.join('data', 'digits', 'cls', ''))
    with pytest.raises(SystemExit):
        tool.parse_args(['--arms', 'relvit-finetune-matched', '--epochs', '1'])


def test_study_sweep_cells(tmp_path):
    tool = load_study_tool()
    args = tool.parse_args([
        '--sweep', 'epochs=200', 'epochs=400,lr=2e-3,weight_decay=0.1',
        'lr=1e-3,warmup=0.05', '--seeds', '0', '--epochs', '100', '--work-dir',
        str(tmp_path)
    ])
    assert args.arms == ['supervised']
    runs = tool.plan_runs(args)
    assert [r.name for r in runs] == [
        'e200_lr0.0005_wd0.1_wu0.1', 'e400_lr0.002_wd0.1_wu0.1',
        'e100_lr0.001_wd0.1_wu0.05'
    ]
    # only values that differ from the config are passed on
    assert [r.cfg_options
            for r in runs] == [[], ['optim_wrapper.optimizer.lr=2e-3'],
                               ['optim_wrapper.optimizer.lr=1e-3']]
    text = tool.run_config_text(runs[2], args)
    assert 'warmup_ratio=0.05' in text and 'end=100' in text
    # the options are part of the run's identity
    assert '# --cfg-options optim_wrapper.optimizer.lr=1e-3' in text
    assert 'val_interval=20' in tool.run_config_text(runs[1], args)

    def result(test, train):
        return dict(
            val={'accuracy/top1': test},
            epochs=list(range(10, 10 * len(test) + 1, 10)),
            extra=dict(train_top1=train),
            wall_s=60.0)

    results = {
        runs[0].key: result([50.0] * 20, 99.0),
        runs[1].key: result([50.0 + i for i in range(20)], 80.0),
    }
    table = sweep_table(results, runs).splitlines()
    assert len(table) == 4  # the unfinished cell has no row
    assert '| 200 | 0.0005 | 0.1 | 0.1 | 0 | 50.00 | 99.00 | 0.00 ' \
        in table[2] and table[2].endswith('| yes | 1.0 |')
    assert '| no: test top-1 moved 4.00 points' in table[3]
    # what the 200 extra epochs of the 400-epoch cell bought: none of the
    # finished cells shares its recipe (lr 2e-3), so nothing to compare
    assert '| - | no: ' in table[3] and '| - | yes |' in table[2]
    runs[0].cell['lr'] = runs[1].cell['lr']
    table = sweep_table(results, runs).splitlines()
    assert '| +19.00 (vs 200) | no: ' in table[3]
    for bad in (['--sweep', 'lr=x'], ['--sweep', 'momentum=0.9'],
                ['--sweep',
                 'warmup=1.5'], ['--sweep', 'epochs=200', '--arms', 'drloc']):
        with pytest.raises(SystemExit):
            tool.parse_args(bad)


def test_study_recipe_reaches_every_run(tmp_path):
    tool = load_study_tool()
    args = tool.parse_args([
        '--recipe', 'lr=2e-3,warmup=0.05', '--seeds', '0', '--epochs', '8',
        '--arms', 'supervised', 'relvit-finetune-matched', '--work-dir',
        str(tmp_path)
    ])
    runs = tool.plan_runs(args)
    assert [r.key for r in runs] == [
        'supervised/seed0', 'relvit-upstream-half/seed0',
        'relvit-finetune-matched/seed0'
    ]
    for run in runs:
        assert run.cfg_options == ['optim_wrapper.optimizer.lr=2e-3']
        text = tool.run_config_text(run, args)
        assert 'warmup_ratio=0.05' in text
        assert '# --cfg-options optim_wrapper.optimizer.lr=2e-3' in text
    # the config's own value is not passed on
    args = tool.parse_args(['--recipe', 'lr=5e-4', '--seeds', '0'])
    assert all(r.cfg_options == [] for r in tool.plan_runs(args))
    for bad in (['--recipe', 'epochs=10'], ['--recipe', 'lr=0'],
                ['--recipe', 'lr=1e-3', '--sweep', 'epochs=2']):
        with pytest.raises(SystemExit):
            tool.parse_args(bad)
