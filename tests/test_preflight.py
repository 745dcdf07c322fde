"""The launchers' preflight checks (mmrelvit.utils.preflight): an unpacked
patch permutation, unreadable checkpoints and the checkpoint of another
model are refused with one error naming the file, before any output."""
import glob
import os
import os.path as osp
import pickle
import zipfile

import pytest
import torch
import torch.nn as nn
from conftest import REPO, run_tool, tiny_digits_config
from mmengine.config import Config
from mmengine.model import BaseTTAModel

from mmrelvit.utils.preflight import (PreflightError, check_checkpoint_fits,
                                      check_pipelines, check_pretrained_files,
                                      check_resume, read_checkpoint)

PERM_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='PatchPermute', patch_size=4),
    dict(type='PackInputs'),
]


def test_unpacked_patch_perm_is_refused():
    cfg = Config(
        dict(
            train_dataloader=dict(
                dataset=dict(
                    type='RepeatDataset',
                    times=2,
                    dataset=dict(type='CustomDataset',
                                 pipeline=PERM_PIPELINE)))))
    with pytest.raises(PreflightError) as info:
        check_pipelines(cfg, 'cfg.py')
    msg = str(info.value)
    assert msg.startswith('cfg.py: train_dataloader.dataset.dataset.'
                          "pipeline[2]: PackInputs does not pack "
                          "'patch_perm'")
    assert 'PatchPermute (cfg.py: train_dataloader.dataset.dataset.' \
        'pipeline[1])' in msg
    # as meta or algorithm key, with or without a scope prefix, it passes
    for pack in (dict(
            type='mmpretrain.PackInputs',
            meta_keys=('img_path', 'patch_perm')),
                 dict(type='PackInputs', algorithm_keys=('patch_perm', ))):
        cfg.train_dataloader.dataset.dataset.pipeline = PERM_PIPELINE[:2] + [
            pack
        ]
        check_pipelines(cfg, 'cfg.py')


def test_train_py_refuses_unpacked_patch_perm_before_writing(
        tmp_path, digits_root):
    cfg = tiny_digits_config(
        tmp_path,
        digits_root,
        extra='train_dataloader = dict(dataset=dict(pipeline=['
        "dict(type='LoadImageFromFile'), "
        "dict(type='PatchPermute', patch_size=4), "
        "dict(type='PackInputs')]))\n")
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', cfg, '--work-dir', work], check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f"tools/train.py: error: {cfg}: train_dataloader.dataset.pipeline[2]"
        ": PackInputs does not pack 'patch_perm'")
    assert not work.exists()


def save(path, obj):
    torch.save(obj, path)
    return str(path)


class Gadget:

    def __reduce__(self):
        return (os.system, ('echo pwned', ))


def test_unreadable_checkpoints_name_the_file(tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    text = tmp_path / 'notes.pth'
    text.write_text('hello\n')
    good = save(tmp_path / 'good.pth', {'state_dict': {'w': torch.ones(2)}})
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(open(good, 'rb').read()[:200])
    gadget = save(tmp_path / 'gadget.pth', {'state_dict': Gadget()})
    pickled = tmp_path / 'pickled.pth'
    with open(pickled, 'wb') as f:
        pickle.dump({'state_dict': Gadget()}, f, protocol=5)
    tensor = save(tmp_path / 'tensor.pth', torch.ones(3))
    cases = {
        empty: 'empty file (0 bytes), not a checkpoint',
        text: "not a PyTorch checkpoint (neither a zip archive nor a "
        "pickle; starts with b'hell')",
        truncated: 'truncated or corrupt checkpoint (200 bytes)',
        gadget: 'refused: it needs the Python object posix.system',
        pickled: 'refused: Unsupported operand 149; a checkpoint written by '
        'mmengine never does',
        tensor: 'not a model checkpoint: it holds a Tensor, not a dict',
        tmp_path / 'absent.pth': 'checkpoint not found',
    }
    for path, message in cases.items():
        with pytest.raises(PreflightError) as info:
            read_checkpoint(str(path))
        msg = str(info.value)
        assert msg.startswith(f'{path}: {message}'), msg
        # never the advice to switch safety off
        assert 'weights_only' not in msg, msg
    assert zipfile.is_zipfile(good)
    assert torch.equal(read_checkpoint(good)['state_dict']['w'], torch.ones(2))


def test_checkpoint_of_another_model_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    other = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    path = save(tmp_path / 'other.pth', {'state_dict': other.state_dict()})
    with pytest.raises(PreflightError) as info:
        check_checkpoint_fits(model, path, 'cfg.py')
    msg = str(info.value)
    assert msg.startswith(f'{path}: not a checkpoint of the model of '
                          'cfg.py: 2 missing keys (1.weight, 1.bias); '
                          '2 unexpected keys (2.weight, 2.bias); '
                          '2 mis-shaped keys (0.weight: checkpoint (5, 4), '
                          'model (3, 4), 0.bias: checkpoint (5,), model '
                          '(3,))')
    # its own checkpoint, even saved from a DDP wrapper, fits; extra keys
    # only with allow_unexpected
    state = {f'module.{k}': v for k, v in model.state_dict().items()}
    state['module.aux.weight'] = torch.zeros(1)
    path = save(tmp_path / 'own.pth', {'state_dict': state})
    check_checkpoint_fits(model, path, allow_unexpected=True)
    with pytest.raises(PreflightError, match='1 unexpected keys'):
        check_checkpoint_fits(model, path)

    # a test-time augmentation model loads into its module, as in mmengine
    class TTA(BaseTTAModel):

        def merge_preds(self, data_samples_list):
            return data_samples_list[0]

    model.test_step = lambda data: data  # what BaseTTAModel asks for
    check_checkpoint_fits(TTA(module=model), path, allow_unexpected=True)


class FakeRunner:

    def __init__(self, model, resume, load_from, work_dir):
        self.model, self._resume = model, resume
        self._load_from, self.work_dir = load_from, work_dir


def test_resume_checks_the_checkpoint_it_will_resume(tmp_path):
    model = nn.Linear(4, 3)
    other = save(tmp_path / 'epoch_1.pth',
                 {'state_dict': nn.Linear(4, 5).state_dict()})
    (tmp_path / 'last_checkpoint').write_text(other)
    # --resume PATH and auto-resume (last_checkpoint of the work dir)
    for load_from in (other, None):
        with pytest.raises(PreflightError, match='2 mis-shaped keys'):
            check_resume(FakeRunner(model, True, load_from, str(tmp_path)))
    # load_from without resume: only readability (fine-tuning may differ)
    check_resume(FakeRunner(model, False, other, str(tmp_path)))
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(PreflightError, match='empty file'):
        check_resume(FakeRunner(model, False, str(empty), str(tmp_path)))


def test_test_and_resume_with_another_models_checkpoint_exit_1(
        tmp_path, digits_root):
    cfg = tiny_digits_config(tmp_path, digits_root)
    other = save(tmp_path / 'other.pth', {
        'state_dict': nn.Linear(4, 5).state_dict(),
        'meta': {}
    })
    proc = run_tool(
        ['tools/test.py', cfg, other, '--work-dir', tmp_path / 'test'],
        check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'tools/test.py: error: {other}: not a '
                           f'checkpoint of the model of {cfg}: '), last
    assert 'missing keys (backbone.' in last
    assert '2 unexpected keys (weight, bias)' in last
    assert 'metrics:' not in proc.stdout

    proc = run_tool([
        'tools/train.py', cfg, '--work-dir', tmp_path / 'train', '--resume',
        other
    ],
                    check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'tools/train.py: error: {other}: not a '
                           'checkpoint of the model of'), last
    assert not list((tmp_path / 'train').glob('*.pth'))


PERM_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'relvit', '*perm*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'small_data', '*perm*.py')))


@pytest.mark.parametrize('path', PERM_CONFIGS, ids=osp.basename)
def test_shipped_permutation_configs_pack_patch_perm(path):
    cfg = Config.fromfile(path)
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert 'PatchPermute' in [t['type'] for t in pipeline]
    check_pipelines(cfg, path)


def test_unreadable_pretrained_checkpoint_names_the_field(tmp_path):
    empty = tmp_path / 'pre.pth'
    empty.write_bytes(b'')
    cfg = Config(
        dict(
            model=dict(
                type='AuxSSLClassifier',
                backbone=dict(
                    type='TokenViT',
                    init_cfg=dict(
                        type='Pretrained',
                        checkpoint=str(empty),
                        prefix='backbone.')))))
    with pytest.raises(PreflightError) as info:
        check_pretrained_files(cfg, 'cfg.py')
    assert str(info.value) == (
        f'cfg.py: model.backbone.init_cfg.checkpoint: {empty}: empty file '
        '(0 bytes), not a checkpoint (an interrupted save?)')
    # a readable checkpoint and URLs (left to mmengine) pass
    cfg.model.backbone.init_cfg.checkpoint = save(
        tmp_path / 'ok.pth', {'state_dict': {
            'w': torch.ones(1)
        }})
    check_pretrained_files(cfg)
    cfg.model.backbone.init_cfg.checkpoint = 'https://example.com/x.pth'
    check_pretrained_files(cfg)
