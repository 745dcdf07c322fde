"""The digits detection recipe: anchors that fit the generated digits, and
the overfit check (a detector learns a handful of scenes it is evaluated
on)."""
import glob
import json
import os.path as osp

import pytest
from conftest import REPO, run_tool
from mmengine.config import Config

from mmrelvit.datasets.digits_detection import write_detection
from mmrelvit.det.anchor_coverage import coco_anchor_coverage

DIGITS_DET = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '*', '*_digits-det.py'))
    if 'r18-scratch' not in p)
STOCK = osp.join(REPO, 'configs', 'mask_rcnn',
                 'mask-rcnn_r18-scratch_fpn_1xb8-8e_digits-det.py')


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    """Scenes with the configs' default generator settings."""
    root = tmp_path_factory.mktemp('digits') / 'det'
    return write_detection(str(root), num_train=150, num_val=4)


def train_ann(root):
    return osp.join(root, 'annotations', 'instances_train.json')


def test_every_digits_detector_has_an_anchor_for_every_box(scenes):
    assert len(DIGITS_DET) == 10  # Mask / Cascade x 5 variants
    for path in DIGITS_DET:
        generator = Config.fromfile(path).model.rpn_head.anchor_generator
        stats = coco_anchor_coverage(generator, train_ann(scenes))
        assert stats['num_boxes'] > 150
        assert stats['min'] >= 0.5, (path, stats['min'])
        assert stats['frac_ge'][0.7] > 0.7, path


def test_stock_anchors_miss_the_digits(scenes):
    """mmdet's single 32 px anchor per location at stride 4 (the stock
    reference config keeps it) leaves digits without an RPN positive."""
    generator = Config.fromfile(STOCK).model.rpn_head.anchor_generator
    stats = coco_anchor_coverage(generator, train_ann(scenes))
    assert stats['frac_ge'][0.3] < 0.95
    assert stats['median'] < 0.5


def test_anchor_coverage_tool_exit_code(scenes):
    good = run_tool([
        'tools/analysis_tools/anchor_coverage.py', DIGITS_DET[0], '--ann-file',
        train_ann(scenes)
    ])
    assert '>= 0.5: 100.0 %' in good.stdout
    bad = run_tool([
        'tools/analysis_tools/anchor_coverage.py', STOCK, '--ann-file',
        train_ann(scenes)
    ],
                   check=False)
    assert bad.returncode == 1
    assert 'have no anchor with IoU >= 0.5' in bad.stdout


def test_overfit_check_learns_a_few_scenes(tmp_path):
    """tools/analysis_tools/overfit_check.py: a digits Mask R-CNN (backbone
    from scratch, 2 blocks) trained on 3 scenes is evaluated on exactly
    those 3 (an ann file of their own) and finds their digits."""
    root = write_detection(str(tmp_path / 'det'), num_train=3, num_val=1)
    loader = ('num_workers=0', 'persistent_workers=False')
    proc = run_tool([
        'tools/analysis_tools/overfit_check.py', DIGITS_DET[-1],
        '--num-images', '3', '--iters', '80', '--work-dir', tmp_path / 'work',
        '--cfg-options', 'model.backbone.init_cfg=None',
        'model.backbone.arch.num_layers=2',
        f'train_dataloader.dataset.data_root={root}/',
        'train_dataloader.batch_size=3', 'optim_wrapper.optimizer.lr=1e-3',
        *(f'{loop}_dataloader.{opt}' for loop in ('train', 'val')
          for opt in loader)
    ],
                    env=dict(OMP_NUM_THREADS='1'))
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith('overfit check: 3 image(s), 80 iterations')
    ann = json.load(open(tmp_path / 'work' / 'overfit_ann.json'))
    assert [im['id'] for im in ann['images']] == [1, 2, 3]
    map50 = float(line.split('bbox mAP50 = ')[1].split(',')[0])
    assert map50 >= 0.8, line
