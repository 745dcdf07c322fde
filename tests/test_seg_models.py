"""UperNet configs on CPU: every backbone inside UperNet, the joint-SSL
segmentor, the pretraining-checkpoint hand-off and the mIoU metric."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import REPO
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmrelvit.models  # noqa: F401  (registers the heads)
import mmrelvit.seg  # noqa: F401  (registers the segmentor)

CFG_DIR = osp.join(REPO, 'configs', 'upernet')
ADE = '8xb2-160k_ade20k-512x512'
DIGITS = '1xb8-2k_digits-seg-64x64'

TINY_VIT = dict(
    embed_dims=32, num_layers=4, num_heads=2, feedforward_channels=64)
TINY_SWIN = dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])


@pytest.fixture(autouse=True)
def mmseg_scope():
    with DefaultScope.overwrite_default_scope('mmseg'):
        yield


def load_model_cfg(name, tiny=True):
    """The config's model, shrunk to a tiny backbone when ``tiny``."""
    cfg = Config.fromfile(osp.join(CFG_DIR, name)).model
    if not tiny:
        return cfg
    backbone = cfg.backbone
    if 'swin' in name:
        backbone.arch = TINY_SWIN
        dims = [16, 32, 64, 128]
    else:
        backbone.update(arch=TINY_VIT, img_size=64, out_indices=(0, 1, 2, 3))
        cfg.neck.update(in_channels=[32] * 4, out_channels=32)
        dims = [32] * 4
    cfg.decode_head.update(in_channels=dims, channels=16)
    cfg.auxiliary_head.update(
        in_channels=dims[cfg.auxiliary_head.in_index], channels=8)
    for head in (cfg.get('aux_heads') or {}).values():
        head.in_channels = dims[-1]
    cfg.data_preprocessor.size = (64, 64)
    return cfg


def build(cfg, init=None):
    cfg = cfg.copy()
    cfg.backbone.init_cfg = init
    # SyncBN, as in mmseg's bases, has no CPU kernel: the Runner reverts it
    # for single-process runs and so do we
    return revert_sync_batchnorm(MODELS.build(cfg))


def batch(model, n=2, size=64, num_classes=150, training=True):
    samples = []
    for _ in range(n):
        meta = dict(
            img_shape=(size, size),
            ori_shape=(size, size),
            pad_shape=(size, size),
            padding_size=[0, 0, 0, 0])
        sample = SegDataSample(metainfo=meta)
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, size, size)))
        samples.append(sample)
    data = dict(
        inputs=[torch.randint(0, 256, (3, size, size)) for _ in range(n)],
        data_samples=samples)
    return model.data_preprocessor(data, training)


SEG_KEYS = {'decode.loss_ce', 'decode.acc_seg', 'aux.loss_ce', 'aux.acc_seg'}


@pytest.mark.parametrize('name, tiny, size, num_classes', [
    (f'upernet_swin-tiny-p4-w7_{ADE}.py', True, 64, 150),
    (f'upernet_vit-small-p16_{ADE}.py', True, 64, 150),
    (f'upernet_vit-tiny-p4_{DIGITS}.py', False, 96, 11),
])
def test_backbone_in_upernet_loss_and_predict(name, tiny, size, num_classes):
    torch.manual_seed(0)
    model = build(load_model_cfg(name, tiny))
    losses = model(**batch(model, 2, size, num_classes), mode='loss')
    assert set(losses) == SEG_KEYS
    total = losses['decode.loss_ce'] + losses['aux.loss_ce']
    assert torch.isfinite(total)
    total.backward()
    # both heads train the backbone
    assert model.backbone.patch_embed.projection.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        preds = model(
            **batch(model, 1, size, num_classes, False), mode='predict')
    assert preds[0].pred_sem_seg.shape == (size, size)
    assert preds[0].seg_logits.data.shape == (num_classes, size, size)


def test_every_config_builds():
    names = sorted(glob.glob(osp.join(CFG_DIR, '*.py')))
    assert len(names) >= 18
    for path in names:
        cfg = Config.fromfile(path)
        assert cfg.default_scope == 'mmseg'
        assert {'mmrelvit.seg',
                'mmpretrain.models'} <= set(cfg.custom_imports.imports)
        assert dict(type='RNGStateHook') in cfg.custom_hooks
        if 'swin' not in path:  # see the Swin primitive
            assert dict(
                type='mmpretrain.StrictPretrainedHook') in cfg.custom_hooks
        model_cfg = cfg.model.get('module', cfg.model)
        if 'digits' not in path:  # full-size ADE models: parse only
            assert model_cfg.decode_head.num_classes == 150
            continue
        model_cfg.backbone.init_cfg = None
        model = MODELS.build(cfg.model)
        expected = dict(
            joint='AuxSSLEncoderDecoder', ms='SegTTAModel').get(
                'joint' if '-joint' in path else
                'ms' if 'ms-test' in path else '', 'EncoderDecoder')
        assert type(model).__name__ == expected, path


def test_ms_test_configs_keep_the_recipe():
    ms = Config.fromfile(
        osp.join(CFG_DIR, f'upernet_swin-tiny-p4-w7_{ADE}'
                 '_ms-test.py'))
    ss = Config.fromfile(
        osp.join(CFG_DIR, f'upernet_swin-tiny-p4-w7_{ADE}.py'))
    assert ms.model.type == 'SegTTAModel' and ms.model.module == ss.model
    resize, flip = ms.test_dataloader.dataset.pipeline[1].transforms[:2]
    assert [t.scale for t in resize] == [(1024, 256), (1536, 384), (2048, 512),
                                         (2560, 640), (3072, 768), (3584, 896)]
    assert [t.prob for t in flip] == [0., 1.]
    # the paper's fine-tuning recipe, inherited from mmseg's Swin config
    assert ss.optim_wrapper.optimizer.lr == 6e-5
    assert ss.optim_wrapper.optimizer.weight_decay == 0.01
    warmup, poly = ss.param_scheduler
    assert (warmup.type, warmup.end, poly.type, poly.power,
            poly.end) == ('LinearLR', 1500, 'PolyLR', 1.0, 160000)
    assert ss.train_dataloader.batch_size == 2
    assert ss.model.backbone.drop_path_rate == 0.2
    kinds = [t.type for t in ss.train_dataloader.dataset.pipeline]
    assert {'RandomResize', 'RandomFlip',
            'PhotoMetricDistortion'} <= set(kinds)


# --------------------------------------------------------------- joint SSL


@PRETRAIN_MODELS.register_module(force=True)
class RecordingHead(torch.nn.Module):
    """Test double of the aux-head contract: records what it is given."""

    def __init__(self, in_index=-1, key='loss_probe'):
        super().__init__()
        self.in_index = in_index
        self.key = key
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.seen = None

    def loss(self, x, data_samples):
        self.seen = (x, data_samples)
        grids = x if isinstance(x, tuple) else (x, )
        return {
            self.key: self.scale * sum(g.pow(2).mean() for g in grids),
            self.key.replace('loss', 'acc'): torch.tensor(1.)
        }


def test_joint_config_adds_ssl_losses_and_trains_backbone():
    cfg = load_model_cfg(f'upernet_vit-small-p16-relvit-joint_{ADE}.py')
    model = build(cfg)
    losses = model(**batch(model), mode='loss')
    assert set(losses) == SEG_KEYS | {
        'loss_relation', 'acc_relation', 'loss_position', 'acc_position'
    }
    # the SSL term alone reaches the backbone (not just its own head)
    losses['loss_relation'].backward()
    assert model.backbone.layers[-1].ffn.layers[1].weight.grad.abs().sum() > 0
    assert model.decode_head.conv_seg.weight.grad is None

    drloc = build(
        load_model_cfg(f'upernet_swin-tiny-p4-w7-drloc-joint_{ADE}'
                       '.py'))
    losses = drloc(**batch(drloc), mode='loss')
    assert set(losses) == SEG_KEYS | {'loss_drloc'}
    assert drloc.aux_heads.drloc.loss_weight == 0.5


def test_wrapper_follows_the_aux_head_contract():
    cfg = load_model_cfg(f'upernet_vit-small-p16_{ADE}.py')
    cfg.update(
        type='AuxSSLEncoderDecoder',
        grid_pool=dict(type='AdaptiveAvgPool2d', output_size=3),
        aux_heads=dict(
            last=dict(type='RecordingHead'),
            pair=dict(type='RecordingHead', in_index=(0, 2), key='loss_p2')))
    model = build(cfg)
    data = batch(model)
    losses = model(**data, mode='loss')
    assert {'loss_probe', 'acc_probe', 'loss_p2', 'acc_p2'} <= set(losses)
    grid, samples = model.aux_heads.last.seen
    # the final backbone grid (before the neck), pooled
    assert grid.shape == (2, 32, 3, 3)
    assert samples is data['data_samples']
    pair, _ = model.aux_heads.pair.seen
    assert isinstance(pair, tuple) and len(pair) == 2

    cfg.aux_heads = dict(
        a=dict(type='RecordingHead'), b=dict(type='RecordingHead'))
    clash = build(cfg)
    with pytest.raises(KeyError, match="'loss_probe'"):
        clash(**batch(clash), mode='loss')


def test_joint_model_predicts_like_plain_encoder_decoder():
    name = f'upernet_vit-tiny-p4-relvit-joint_{DIGITS}.py'
    joint = build(load_model_cfg(name, tiny=False)).eval()
    plain_cfg = load_model_cfg(name, tiny=False)
    for key in ('aux_heads', 'grid_pool'):
        plain_cfg.pop(key)
    plain_cfg.type = 'EncoderDecoder'
    plain = build(plain_cfg).eval()
    result = plain.load_state_dict(joint.state_dict(), strict=False)
    assert not result.missing_keys
    assert all(k.startswith('aux_heads.') for k in result.unexpected_keys)
    data = batch(joint, 1, 96, 11, training=False)
    with torch.no_grad():
        a = joint(**data, mode='predict')[0].seg_logits.data
        b = plain(**data, mode='predict')[0].seg_logits.data
    torch.testing.assert_close(a, b)


# -------------------------------------------------------- checkpoint hand-off


def _save_classifier(path, backbone, head, wrapper='ImageClassifier', **kw):
    torch.manual_seed(1)
    clf = PRETRAIN_MODELS.build(
        dict(
            type=wrapper,
            backbone=backbone,
            head=head,
            _scope_='mmpretrain',
            **kw))
    torch.save(dict(state_dict=clf.state_dict(), meta=dict()), path)
    return {
        k[len('backbone.'):]: v
        for k, v in clf.state_dict().items() if k.startswith('backbone.')
    }


def _loaded(model, ckpt_backbone, adapt=lambda k, v: v):
    """Keys of ``ckpt_backbone`` whose values the model now holds."""
    own = model.backbone.state_dict()
    return [
        k for k, v in ckpt_backbone.items()
        if k in own and torch.equal(own[k], adapt(k, v))
    ]


@pytest.mark.parametrize('wrapper', ['ImageClassifier', 'AuxSSLClassifier'])
def test_vit_checkpoint_hand_off_loads_every_weight(tmp_path, wrapper):
    from mmpretrain.models.utils import resize_pos_embed
    path = str(tmp_path / 'pre.pth')
    arch = dict(
        embed_dims=96, num_layers=4, num_heads=3, feedforward_channels=384)
    if wrapper == 'ImageClassifier':  # the supervised digits classifier
        ckpt = _save_classifier(
            path,
            dict(
                type='VisionTransformer',
                arch=arch,
                img_size=32,
                patch_size=4,
                out_type='cls_token'),
            dict(
                type='VisionTransformerClsHead',
                num_classes=10,
                in_channels=96))
    else:  # RelViT's self-supervised upstream: TokenViT, no pos-embed
        ckpt = _save_classifier(
            path,
            dict(
                type='TokenViT',
                arch=arch,
                img_size=32,
                patch_size=4,
                use_pos_embed=False),
            None,
            wrapper=wrapper,
            aux_heads=dict(
                relation=dict(type='PatchRelationHead', in_channels=96),
                position=dict(
                    type='AbsPositionHead', in_channels=96, num_patches=64)))
    cfg = load_model_cfg(f'upernet_vit-tiny-p4_{DIGITS}.py', tiny=False)
    model = build(
        cfg, init=dict(type='Pretrained', checkpoint=path, prefix='backbone.'))
    model.init_weights()

    def adapt(key, value):  # 8x8 pretraining grid -> 16x16 at 64 px
        if key != 'pos_embed':
            return value
        return resize_pos_embed(value, (8, 8), (16, 16), 'bicubic', 1)

    loaded = _loaded(model, ckpt, adapt)
    assert sorted(loaded) == sorted(ckpt) == sorted(
        model.backbone.state_dict())


def test_swin_checkpoint_hand_off_loads_every_weight(tmp_path):
    path = str(tmp_path / 'swin.pth')
    ckpt = _save_classifier(
        path,
        dict(type='SwinTransformer', arch=TINY_SWIN, img_size=64),
        dict(type='LinearClsHead', num_classes=10, in_channels=128),
        neck=dict(type='GlobalAveragePooling'))
    cfg = load_model_cfg(f'upernet_swin-tiny-p4-w7_{ADE}.py')
    model = build(
        cfg, init=dict(type='Pretrained', checkpoint=path, prefix='backbone.'))
    model.init_weights()
    assert sorted(_loaded(model, ckpt)) == sorted(ckpt)
    # only the norms of the three extra output stages are new
    new = set(model.backbone.state_dict()) - set(ckpt)
    assert new == {
        f'norm{i}.{p}'
        for i in range(3)
        for p in ('weight', 'bias')
    }


# ------------------------------------------------------------------ metric


def test_iou_metric_matches_hand_computed_values():
    from mmseg.evaluation import IoUMetric
    gt = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 255, 255], [2, 2, 2, 2]])
    pred = np.array([[0, 1, 1, 1], [0, 0, 1, 2], [2, 0, 0, 1], [2, 2, 2, 2]])
    # class: (intersection, union, gt area) over the 14 labelled pixels
    # 0: 3, 5, 4   1: 3, 5, 4   2: 5, 7, 6   -> 11 correct pixels
    miou = 100 * (3 / 5 + 3 / 5 + 5 / 7) / 3
    macc = 100 * (3 / 4 + 3 / 4 + 5 / 6) / 3
    aacc = 100 * 11 / 14
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    # two "images" (the top and bottom halves): the metric pools areas over
    # the data set; a mean of per-image IoUs would differ (class 2 has no
    # ground truth in the top half)
    samples = [
        dict(
            pred_sem_seg=dict(data=torch.from_numpy(pred[rows])[None]),
            gt_sem_seg=dict(data=torch.from_numpy(gt[rows])[None]))
        for rows in (slice(0, 2), slice(2, 4))
    ]
    metric.process({}, samples)
    results = metric.compute_metrics(metric.results)
    assert results['mIoU'] == pytest.approx(miou, abs=0.01)
    assert results['mAcc'] == pytest.approx(macc, abs=0.01)
    assert results['aAcc'] == pytest.approx(aacc, abs=0.01)
