"""The detection configs: every primitive parses with the App. D recipe and
the transfer contract, leaves are one-line deltas, inheritance depth <= 3,
and the README lists every config."""
import ast
import functools
import glob
import os.path as osp

import pytest
from conftest import REPO
from mmengine.config import Config

FOLDERS = ('mask_rcnn', 'cascade_mask_rcnn')
# stock mmdet detectors on the digit scenes, the yardstick of the ViT ones
REFERENCES = [
    osp.join(REPO, 'configs', 'mask_rcnn',
             'mask-rcnn_r18-scratch_fpn_1xb8-8e_digits-det.py')
]
CONFIGS = sorted(
    p for f in FOLDERS
    for p in glob.glob(osp.join(REPO, 'configs', f, '*.py'))
    if p not in REFERENCES)
MMDET_CONFIGS = osp.join(
    osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')
NUM_CLASSES = {
    'coco': 80,
    'voc07': 20,
    'kitti-2d': 8,
    'svhn-det': 10,
    'digits-det': 10
}
MASKS = {'coco', 'digits-det'}
BACKBONES = ('vit-small-p16', 'swin-tiny-p4-w7', 't2t-vit-t-14', 'vit-tiny-p4')


def base_of(path):
    """``_base_`` of a text config, as file paths."""
    tree = ast.parse(open(path).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == '_base_':
            bases = ast.literal_eval(node.value)
            bases = [bases] if isinstance(bases, str) else bases
            return [
                osp.join(MMDET_CONFIGS, b[len('mmdet::'):])
                if b.startswith('mmdet::') else osp.normpath(
                    osp.join(osp.dirname(path), b)) for b in bases
            ]
    return []


def depth(path):
    return max((1 + depth(b) for b in base_of(path)), default=0)


def is_leaf(path):
    bases = base_of(path)
    return len(bases) == 1 and osp.dirname(bases[0]) == osp.dirname(path)


PRIMITIVES = [p for p in CONFIGS if not is_leaf(p)]
LEAVES = [p for p in CONFIGS if is_leaf(p)]


@functools.lru_cache()
def parse(path):
    return Config.fromfile(path)


def test_inventory():
    # 8 (data set, backbone) pairs per detector, each with its variants
    assert len(PRIMITIVES) == 16 and len(LEAVES) == 84
    names = {
        f:
        {osp.basename(p).split('_', 1)[1]
         for p in CONFIGS if f'/{f}/' in p}
        for f in FOLDERS
    }
    assert names['mask_rcnn'] == names['cascade_mask_rcnn']


def test_resnet18_reference_is_stock_mask_rcnn_from_scratch():
    cfg = parse(REFERENCES[0])
    backbone = cfg.model.backbone
    assert (backbone.type, backbone.depth, backbone.init_cfg) == ('ResNet', 18,
                                                                  None)
    assert not backbone.norm_eval
    assert cfg.model.neck.in_channels == [64, 128, 256, 512]
    # mmdet's anchors and SGD recipe, lr halved with the batch (8 vs 16)
    assert cfg.model.rpn_head.anchor_generator.scales == [8]
    optim = cfg.optim_wrapper.optimizer
    assert (optim.type, optim.lr, optim.momentum) == ('SGD', 0.01, 0.9)
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_cfg.max_epochs == 8
    assert cfg.param_scheduler[1].milestones == [5, 7]
    assert cfg.model.roi_head.bbox_head.num_classes == 10
    assert cfg.val_evaluator.classwise


@pytest.mark.parametrize('path', CONFIGS + REFERENCES, ids=osp.basename)
def test_inheritance_depth_at_most_3(path):
    assert depth(path) <= 3


@pytest.mark.parametrize('path', PRIMITIVES, ids=osp.basename)
def test_primitive(path):
    cfg = parse(path)
    data = osp.splitext(path)[0].rsplit('_', 1)[1]
    assert cfg.default_scope == 'mmdet' and cfg.model._scope_ == 'mmdet'
    assert {
        'mmpretrain.models', 'mmrelvit.models', 'mmrelvit.engine',
        'mmrelvit.det'
    } <= set(cfg.custom_imports.imports)
    assert [h.type for h in cfg.custom_hooks] == [
        'RNGStateHook', 'AtomicCheckpointHook',
        'mmpretrain.StrictPretrainedHook'
    ]
    backbone = cfg.model.backbone
    assert backbone.type.startswith('mmpretrain.')
    assert backbone.init_cfg.type == 'Pretrained'
    assert backbone.init_cfg.prefix == 'backbone.'
    if backbone.type != 'mmpretrain.SwinTransformer':
        # the final token grid, after the final norm
        assert backbone.out_type == 'featmap'
        assert backbone.out_indices == -1
        assert cfg.model.neck[0].type == 'mmpretrain.ViTPyramidNeck'
    # App. D: AdamW 1e-4, wd 0.05, 12 epochs, lr x0.1 at 8 and 11
    optim = cfg.optim_wrapper.optimizer
    lr = 1e-3 if data == 'digits-det' else 1e-4
    assert (optim.type, optim.lr, optim.weight_decay) == ('AdamW', lr, 0.05)
    if data == 'digits-det':
        # the digits recipe, from a sweep on CPU: 8 epochs, x0.1 at 5 and 7
        assert cfg.train_cfg.max_epochs == 8
        assert cfg.param_scheduler[1].milestones == [5, 7]
        assert cfg.val_evaluator.classwise
    else:
        assert cfg.train_cfg.max_epochs == 12
        assert cfg.param_scheduler[1].milestones == [8, 11]

    roi = cfg.model.roi_head
    heads = roi.bbox_head if isinstance(roi.bbox_head,
                                        list) else [roi.bbox_head]
    assert {h.num_classes for h in heads} == {NUM_CLASSES[data]}
    classes = cfg.train_dataloader.dataset.get('metainfo', {}).get('classes')
    if classes is not None:
        assert len(classes) == NUM_CLASSES[data]
    assert (roi.mask_head is not None) == (data in MASKS)
    steps = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    if data != 'digits-det':
        resize = cfg.train_dataloader.dataset.pipeline[steps.index(
            'RandomChoiceResize')]
        assert sorted(min(s)
                      for s in resize.scales) == list(range(480, 801, 32))
        assert {max(s) for s in resize.scales} == {1333}
    # a mirrored digit is another symbol
    assert ('RandomFlip' in steps) == (data not in ('svhn-det', 'digits-det'))


@pytest.mark.parametrize('path', LEAVES, ids=osp.basename)
def test_leaf_is_a_one_line_delta(path):
    """A -pre leaf sets only the checkpoint, a -joint leaf only the SSL
    model delta of the backbone fragment."""
    tree = ast.parse(open(path).read())
    targets = [n.targets[0].id for n in tree.body if isinstance(n, ast.Assign)]
    model = ast.unparse(tree.body[-1].value)
    if '-joint_' in path:
        assert targets == ['_base_', 'model']
        method = 'relvit' if '-relvit-joint_' in path else 'drloc'
        assert model == f'_base_.{method}_joint'
    else:
        assert targets == ['_base_', 'checkpoint', 'model']
        assert model == ('dict(backbone=dict(init_cfg=dict('
                         'checkpoint=checkpoint)))')
        checkpoint = ast.literal_eval(tree.body[-2].value)
        field = osp.basename(path).split('_')[1]
        backbone = next(b for b in BACKBONES if field.startswith(b + '-'))
        variant = field[len(backbone) + 1:-len('-pre')]
        # work_dirs/<pretraining config>/epoch_N.pth of the same backbone
        run = checkpoint.split('/')[1]
        assert checkpoint.startswith('work_dirs/')
        assert run.startswith(f'{variant}_{backbone}_')
        method = 'drloc' if variant == 'drloc' else 'relvit'
        assert osp.isfile(osp.join(REPO, 'configs', method, f'{run}.py'))


@pytest.mark.parametrize('leaf,changed', [
    ('cascade-mask-rcnn_vit-small-p16-relvit-pre_fpn_8xb2-ms-1x_coco.py',
     {'model', 'checkpoint'}),
    ('mask-rcnn_t2t-vit-t-14-drloc-joint_fpn_8xb2-ms-1x_voc07.py', {'model'}),
])
def test_leaf_changes_nothing_else(leaf, changed):
    folder = 'cascade_mask_rcnn' if leaf.startswith('cascade') else 'mask_rcnn'
    path = osp.join(REPO, 'configs', folder, leaf)
    cfg, base = parse(path), parse(base_of(path)[0])
    assert {k
            for k in set(cfg) | set(base)
            if cfg.get(k) != base.get(k)} == changed
    diff = {k for k in cfg.model if cfg.model[k] != base.model.get(k)}
    if 'checkpoint' in changed:
        assert diff == {'backbone'}
        assert cfg.model.backbone.init_cfg.checkpoint == cfg.checkpoint
        cfg.model.backbone.init_cfg.checkpoint = base.pretrained
        assert cfg.model.backbone == base.model.backbone
    else:
        assert diff == {'type', 'aux_heads', 'grid_pool'}


def test_digits_normalisation_matches_pretraining():
    det = parse(
        osp.join(REPO, 'configs', 'mask_rcnn',
                 'mask-rcnn_vit-tiny-p4_fpn_1xb8-8e_digits-det.py'))
    cls = Config.fromfile(
        osp.join(REPO, 'configs', 'vit', 'vit-tiny-p4_1xb64-30e_digits.py'))
    for key in ('mean', 'std'):
        assert det.model.data_preprocessor[key] == pytest.approx(
            cls.data_preprocessor[key], abs=0.01)


@pytest.mark.parametrize('folder', FOLDERS)
def test_readme_lists_every_config(folder):
    with open(osp.join(REPO, 'configs', folder, 'README.md')) as f:
        readme = f.read()
    for path in CONFIGS + REFERENCES:
        if f'/{folder}/' in path:
            assert osp.basename(path) in readme, path
