"""AuxSSLClassifier: loss keys, SSL-only, predict, gradients, linear probe."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmrelvit.models  # noqa: F401

C = 32
TINY = dict(embed_dims=C, num_layers=2, num_heads=2, feedforward_channels=64)
BACKBONE = dict(type='TokenViT', arch=TINY, img_size=32, patch_size=8)
HEAD = dict(type='VisionTransformerClsHead', num_classes=10, in_channels=C)
AUX = dict(
    relation=dict(type='PatchRelationHead', in_channels=C),
    distance=dict(type='PatchRelationHead', in_channels=C, task='distance'),
    angle=dict(type='PatchRelationHead', in_channels=C, task='angle'),
    position=dict(type='AbsPositionHead', in_channels=C, num_patches=16))


def build(**kwargs):
    cfg = dict(
        type='AuxSSLClassifier', backbone=BACKBONE, head=HEAD, aux_heads=AUX)
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def batch(n=2, size=32):
    torch.manual_seed(1)
    inputs = torch.rand(n, 3, size, size)
    samples = [DataSample().set_gt_label(i % 10) for i in range(n)]
    return inputs, samples


def test_loss_keys():
    model = build()
    losses = model.loss(*batch())
    assert set(losses) == {
        'loss_cls', 'loss_relation', 'acc_relation', 'loss_distance',
        'loss_angle', 'loss_position', 'acc_position'
    }
    parsed, log_vars = model.parse_losses(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    torch.testing.assert_close(parsed, total)
    torch.testing.assert_close(log_vars['loss'], total)


def test_pure_ssl_and_errors():
    model = build(head=None)
    assert set(model.loss(*batch())) == {
        'loss_relation', 'acc_relation', 'loss_distance', 'loss_angle',
        'loss_position', 'acc_position'
    }
    feats = model(batch()[0], mode='tensor')  # cls tokens without a head
    assert feats[0].shape == (2, C)
    with pytest.raises(RuntimeError, match='nothing to train'):
        build(head=None, aux_heads=None).loss(*batch())
    twice = dict(a=AUX['relation'], b=AUX['relation'])
    with pytest.raises(KeyError, match='loss_relation'):
        build(aux_heads=twice).loss(*batch())


def test_builds_under_a_foreign_default_scope():
    # nested bare types must not be looked up in the default scope's
    # registry (conventions §1.5); 'mmengine' stands in for mmdet/mmseg
    cfg = dict(
        type='mmpretrain.AuxSSLClassifier',
        backbone=BACKBONE,
        head=HEAD,
        aux_heads=AUX)
    with DefaultScope.overwrite_default_scope('mmengine'):
        model = MODELS.build(cfg)
    assert set(model.aux_heads) == set(AUX)
    assert 'loss_relation' in model.loss(*batch())


def test_predict_and_tensor_match_image_classifier():
    model = build().eval()
    core = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                BACKBONE, type='VisionTransformer', out_type='cls_token'),
            head=HEAD)).eval()
    assert isinstance(model, ImageClassifier)
    missing, unexpected = core.load_state_dict(
        model.state_dict(), strict=False)
    assert missing == [] and all(
        k.startswith('aux_heads.') for k in unexpected)
    inputs, samples = batch()
    with torch.no_grad():
        torch.testing.assert_close(
            model(inputs, mode='tensor'), core(inputs, mode='tensor'))
        preds = model(inputs, copy.deepcopy(samples), mode='predict')
        core_preds = core(inputs, copy.deepcopy(samples), mode='predict')
    for ours, theirs in zip(preds, core_preds):
        torch.testing.assert_close(ours.pred_score, theirs.pred_score)


@pytest.mark.parametrize('name', sorted(AUX))
def test_every_aux_head_trains_the_backbone(name):
    model = build(head=None, aux_heads={name: AUX[name]})
    losses = model.loss(*batch())
    losses[f'loss_{name}'].backward()
    for param in (model.backbone.patch_embed.projection.weight,
                  model.backbone.layers[0].attn.qkv.weight,
                  model.backbone.ln1.weight):
        assert param.grad is not None and param.grad.abs().sum() > 0


def test_feature_map_backbone_and_grid_pool():
    # a Swin-like 4-D output: feats for the neck/head, the same map for aux
    swin = dict(
        type='SwinTransformer',
        arch=dict(embed_dims=16, depths=[1, 1], num_heads=[1, 2]),
        img_size=32,
        window_size=2,
        out_indices=(1, ))
    model = build(
        backbone=swin,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=32),
        aux_heads=dict(
            relation=dict(type='PatchRelationHead', in_channels=32),
            position=dict(
                type='AbsPositionHead', in_channels=32, num_patches=4)),
        grid_pool=dict(
            type='AvgPool2d',
            kernel_size=3,
            stride=2,
            padding=1,
            count_include_pad=False))
    feats, grids = model.extract_tokens(batch()[0])
    assert feats[0].shape == (2, 32, 4, 4) and grids[0].shape == (2, 32, 2, 2)
    assert {'loss_cls', 'loss_relation',
            'loss_position'} <= set(model.loss(*batch()))


def test_tuple_in_index_and_missing_grid():
    model = build(
        backbone=dict(BACKBONE, out_indices=(0, 1)),
        aux_heads=dict(relation=dict(AUX['relation'], in_index=0)))
    assert 'loss_relation' in model.loss(*batch())
    _, grids = model.extract_tokens(batch()[0])
    assert len(model._select_grids(grids, (0, 1), 'x')) == 2
    model = build(
        backbone=dict(BACKBONE, type='VisionTransformer'),
        aux_heads=dict(relation=AUX['relation']))
    with pytest.raises(ValueError, match='no token grid'):
        model.loss(*batch())


@pytest.mark.parametrize('how', ['freeze_backbone', 'frozen_stages'])
def test_linear_probe_keeps_backbone_fixed(how):
    if how == 'freeze_backbone':
        model = build(freeze_backbone=True)
    else:
        model = build(backbone=dict(BACKBONE, frozen_stages=2))
    before = copy.deepcopy(model.backbone.state_dict())
    head_before = model.head.layers.head.weight.clone()
    aux_before = model.aux_heads.relation.query.weight.clone()
    model.train()
    if how == 'freeze_backbone':
        assert not model.backbone.training
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=0.1))
    inputs, samples = batch()
    for _ in range(2):
        model.train_step(dict(inputs=inputs, data_samples=samples), optim)
    for name, param in model.backbone.named_parameters():
        assert param.grad is None, name
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert not torch.equal(model.head.layers.head.weight, head_before)
    assert not torch.equal(model.aux_heads.relation.query.weight, aux_before)
