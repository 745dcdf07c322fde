"""Every detection backbone inside Mask R-CNN and Cascade Mask R-CNN, built
from the real configs, and joint SSL training (AuxSSLTwoStageDetector)."""
import copy
import functools
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SCHED = '8xb2-ms-1x'

# (backbone, data set): COCO has masks, VOC 2007 is boxes only
CASES = [('vit-small-p16', 'coco'), ('swin-tiny-p4-w7', 'coco'),
         ('t2t-vit-t-14', 'voc07')]
DETECTORS = [('mask_rcnn', 'mask-rcnn'),
             ('cascade_mask_rcnn', 'cascade-mask-rcnn')]


def config_path(det, backbone, data, tag=''):
    name = dict(DETECTORS)[det]
    return osp.join(REPO, 'configs', det,
                    f'{name}_{backbone}{tag}_fpn_{SCHED}_{data}.py')


@functools.lru_cache()
def _read(path):
    return Config.fromfile(path).model


def load_model_cfg(path):
    """The config's model, random-init, one block per backbone stage (the
    widths, which the wiring depends on, are kept) and small RoI samples
    (sampling sizes only change the compute, not the code path)."""
    from mmpretrain.registry import MODELS
    cfg = copy.deepcopy(_read(path))
    backbone = cfg.backbone
    backbone.init_cfg = None
    if 'arch' in backbone:
        arch = dict(MODELS.get(backbone.type).arch_zoo[backbone.arch])
    else:  # T2T_ViT
        arch = dict(num_layers=backbone.num_layers)
    for key, value in arch.items():
        if key == 'num_layers':
            arch[key] = 1
        elif key == 'depths':
            arch[key] = [1] * len(value)
    if 'arch' in backbone:
        backbone.arch = arch
    else:
        backbone.update(arch)
    cfg.train_cfg.rpn_proposal.update(nms_pre=200, max_per_img=50)
    cfg.test_cfg.rpn.update(nms_pre=200, max_per_img=50)
    rcnn = cfg.train_cfg.rcnn
    for stage in (rcnn if isinstance(rcnn, list) else [rcnn]):
        stage.sampler.num = 32
    return cfg


def build(cfg):
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(model, num_classes, with_mask=True):
    from mmdet.testing import demo_mm_inputs
    packed = demo_mm_inputs(
        1, [(3, 128, 128)],
        num_items=[3],
        num_classes=num_classes,
        with_mask=with_mask)
    return model.data_preprocessor(packed, True)


def num_classes(cfg):
    head = cfg.roi_head.bbox_head
    return (head[0] if isinstance(head, list) else head).num_classes


def expected_losses(det, masks):
    heads = ['loss_cls', 'loss_bbox'] + (['loss_mask'] if masks else [])
    if det == 'cascade_mask_rcnn':
        heads = [f's{i}.{k}' for i in range(3) for k in heads]
    return {'loss_rpn_cls', 'loss_rpn_bbox', *heads}


def first_backbone_param(model):
    return next(p for p in model.backbone.parameters() if p.requires_grad)


@pytest.mark.parametrize('det', [d for d, _ in DETECTORS])
@pytest.mark.parametrize('backbone,data', CASES)
def test_backbone_in_detector_returns_all_losses(det, backbone, data):
    cfg = load_model_cfg(config_path(det, backbone, data))
    model = build(cfg)
    masks = data == 'coco'
    assert model.roi_head.with_mask == masks
    losses = model(**batch(model, num_classes(cfg), masks), mode='loss')
    loss_keys = {k for k in losses if 'loss' in k}
    assert loss_keys == expected_losses(det, masks)
    total, _ = model.parse_losses(losses)
    assert torch.isfinite(total)
    total.backward()
    assert first_backbone_param(model).grad.abs().sum() > 0


@pytest.mark.parametrize('det,backbone,data,method,tasks', [
    ('cascade_mask_rcnn', 'vit-small-p16', 'coco', 'relvit',
     {'loss_relation', 'loss_position'}),
    ('mask_rcnn', 'swin-tiny-p4-w7', 'voc07', 'drloc', {'loss_drloc'}),
])
def test_joint_ssl_config_adds_task_losses(det, backbone, data, method, tasks):
    base_cfg = load_model_cfg(config_path(det, backbone, data))
    cfg = load_model_cfg(config_path(det, backbone, data, f'-{method}-joint'))
    # the delta: model type + heads (+ grid pool); nothing else changes
    assert cfg.type == 'AuxSSLTwoStageDetector'
    for key in set(base_cfg) | set(cfg):
        if key not in ('type', 'aux_heads', 'grid_pool'):
            assert cfg[key] == base_cfg[key], key
    model = build(cfg)
    data_batch = batch(model, num_classes(cfg), data == 'coco')
    losses = model(**data_batch, mode='loss')
    assert {k for k in losses if 'loss' in k} == \
        expected_losses(det, data == 'coco') | tasks
    # the SSL terms alone train the backbone
    sum(losses[k] for k in tasks).backward()
    assert first_backbone_param(model).grad.abs().sum() > 0

    # inference ignores the heads; weights load into the plain detector
    model.eval()
    with torch.no_grad():
        preds = model(**data_batch, mode='predict')
    assert 'pred_instances' in preds[0]
    plain = build(base_cfg)
    result = plain.load_state_dict(model.state_dict(), strict=False)
    assert not result.missing_keys
    assert result.unexpected_keys and all(
        k.startswith('aux_heads.') for k in result.unexpected_keys)


class _GridProbe(nn.Module):
    """A head following the aux-head contract that records its input."""

    def __init__(self, in_index, key='loss_probe'):
        super().__init__()
        self.in_index, self.key = in_index, key
        self.scale = nn.Parameter(torch.ones(()))
        self.seen = None

    def loss(self, x, data_samples):
        self.seen = x
        grids = x if isinstance(x, tuple) else (x, )
        assert len(data_samples) == grids[0].shape[0]
        return {self.key: self.scale * sum(g.mean() for g in grids)}


def test_wrapper_grid_selection_pool_and_single_backbone_pass():
    cfg = load_model_cfg(config_path('mask_rcnn', 'swin-tiny-p4-w7', 'coco'))
    last, pair = _GridProbe(-1), _GridProbe((1, 3), key='loss_pair')
    cfg = dict(
        cfg,
        type='AuxSSLTwoStageDetector',
        aux_heads=dict(last=last, pair=pair),
        grid_pool=dict(type='AdaptiveAvgPool2d', output_size=2))
    model = build(cfg)
    calls = []
    model.backbone.register_forward_hook(lambda *args: calls.append(1))
    losses = model(**batch(model, 80), mode='loss')
    assert len(calls) == 1
    assert {'loss_probe', 'loss_pair'} <= set(losses)
    # Swin-T stage 4 (768 ch) and stages 2 and 4, each pooled to 2x2
    assert last.seen.shape == (1, 768, 2, 2)
    assert [tuple(g.shape) for g in pair.seen] == [(1, 192, 2, 2),
                                                   (1, 768, 2, 2)]

    clash = build(dict(cfg, aux_heads=dict(x=_GridProbe(-1, 'loss_rpn_cls'))))
    with pytest.raises(KeyError, match='loss_rpn_cls'):
        clash(**batch(clash, 80), mode='loss')


def test_mmrelvit_models_do_not_need_mmdet():
    """Only mmrelvit.det imports mmdet: with mmdet unimportable the rest of
    the package (and mmpretrain, which only tries it) still imports."""
    import subprocess
    import sys
    code = ('import sys; sys.modules["mmdet"] = None; import mmrelvit, '
            'mmrelvit.models, mmrelvit.engine, mmrelvit.datasets, '
            'mmrelvit.datasets.digits_detection; '
            'from mmpretrain.registry import MODELS; '
            'assert MODELS.get("ViTPyramidNeck") is not None')
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]


def digits_config(tag=''):
    return osp.join(REPO, 'configs', 'mask_rcnn',
                    f'mask-rcnn_vit-tiny-p4{tag}_fpn_1xb8-8e_digits-det.py')


def test_mmcv_roi_align_reads_channels_last_storage_as_nchw():
    """Why the maps handed to RoI extractors must be NCHW-contiguous: mmcv
    2.1's RoIAlign samples other values from the same tensor in another
    memory layout."""
    from mmcv.ops import RoIAlign
    torch.manual_seed(0)
    x = torch.randn(1, 16, 32, 32)
    rois = torch.tensor([[0., 2., 3., 20., 25.], [0., 10., 1., 30., 12.]])
    align = RoIAlign((7, 7), 1.0, 0, aligned=True)
    channels_last = x.contiguous(memory_format=torch.channels_last)
    assert torch.equal(channels_last, x)
    assert not torch.allclose(align(channels_last, rois), align(x, rois))


@pytest.mark.parametrize('path', [
    digits_config(),
    digits_config('-relvit-joint'),
    config_path('mask_rcnn', 'vit-small-p16', 'coco'),
    config_path('mask_rcnn', 't2t-vit-t-14', 'voc07'),
    config_path('mask_rcnn', 'swin-tiny-p4-w7', 'coco'),
    config_path('cascade_mask_rcnn', 'vit-small-p16', 'coco'),
])
def test_roi_extractor_reads_contiguous_feature_maps(path):
    """The RoI features of given boxes equal those computed from
    NCHW-contiguous copies of the same FPN maps (a ViT's token grid is a
    permuted view: unguarded, the RoI heads read scrambled features)."""
    cfg = load_model_cfg(path) if 'digits' not in path else copy.deepcopy(
        _read(path))
    cfg.backbone.init_cfg = None
    model = build(cfg).eval()
    size = 64 if 'digits' in path else 128
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(1, 3, size, size))
        assert all(f.is_contiguous() for f in feats)
        extractor = model.roi_head.bbox_roi_extractor
        if isinstance(extractor, nn.ModuleList):  # cascade: one per stage
            extractor = extractor[0]
        rois = torch.tensor([[0., 4., 6., 30., 40.], [0., 20., 8., 50., 60.],
                             [0., 1., 1., 63., 63.]])
        levels = feats[:extractor.num_inputs]
        got = extractor(levels, rois)
        want = extractor([f.contiguous() for f in levels], rois)
    torch.testing.assert_close(got, want, rtol=0, atol=0)
