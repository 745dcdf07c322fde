"""Degenerate inputs and wrong arguments of the SSL heads, their wrappers
and the patch transforms: one clear error naming the field and value
instead of silent padding, a trivial task or a bare IndexError / matmul /
ZeroDivisionError."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

import mmrelvit.datasets  # noqa: F401
import mmrelvit.models  # noqa: F401
from mmrelvit.models.utils.aux_ssl import add_aux_head_losses

C = 32
TINY = dict(embed_dims=C, num_layers=2, num_heads=2, feedforward_channels=64)
BACKBONE = dict(type='TokenViT', arch=TINY, img_size=32, patch_size=8)
RELATION = dict(type='PatchRelationHead', in_channels=C)
DRLOC = dict(type='DrLocHead', in_channels=C, hidden_channels=16)


def build(aux_heads, head=None, **kwargs):
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='AuxSSLClassifier',
            backbone=dict(BACKBONE, **kwargs),
            head=head,
            aux_heads=aux_heads))


def samples(n=2):
    return [DataSample().set_gt_label(i) for i in range(n)]


@pytest.mark.parametrize('aux', [RELATION, DRLOC])
def test_padded_border_cells_are_refused_while_aux_heads_train(aux):
    model = build(dict(ssl=aux))
    with pytest.raises(ValueError) as info:
        model.loss(torch.rand(2, 3, 30, 36), samples())
    msg = str(info.value)
    assert msg.startswith('backbone.patch_embed.adaptive_padding: its 30x36 '
                          '(h x w) input is not a multiple of its stride '
                          '(patch size) 8x8; it would be padded by 2x4')
    assert 'aux heads would train on padded border cells' in msg
    # multiples of the patch size train; predicting a padded image is legal
    losses = model.loss(torch.rand(2, 3, 32, 32), samples())
    assert any(key.startswith('loss_') for key in losses)
    head = dict(type='VisionTransformerClsHead', num_classes=10, in_channels=C)
    model = build(dict(ssl=aux), head=head)
    assert model.predict(torch.rand(2, 3, 30, 30))[0].pred_score.shape == \
        (10, )
    # without aux heads padding stays mmpretrain's behaviour
    model = build(None, head=head)
    assert 'loss_cls' in model.loss(torch.rand(2, 3, 30, 30), samples())


@pytest.mark.parametrize('aux, name', [(RELATION, 'PatchRelationHead'),
                                       (DRLOC, 'DrLocHead')])
def test_one_token_grid_is_refused(aux, name):
    model = build(dict(ssl=aux))
    with pytest.raises(ValueError) as info:
        model.loss(torch.rand(2, 3, 8, 8), samples())
    assert str(info.value).startswith(
        f"aux head 'ssl' ({name}): the token grid is 1x1, a single token")


def test_aux_in_index_out_of_range():
    model = build(dict(ssl=dict(RELATION, in_index=3)))
    with pytest.raises(ValueError) as info:
        model.loss(torch.rand(2, 3, 32, 32), samples())
    assert str(info.value).startswith(
        "aux head 'ssl': in_index 3 is out of range: the backbone returns "
        '1 output(s) (its out_indices), so valid indices are -1..0.')
    # the detector / segmentor path
    heads = torch.nn.ModuleDict(
        dict(ssl=MODELS.build(dict(RELATION, in_index=(0, 2)))))
    with pytest.raises(ValueError, match=r'in_index \(0, 2\) is out of '):
        add_aux_head_losses({}, heads, [torch.rand(1, C, 4, 4)] * 2, None)


def test_in_channels_mismatch_names_both_values():
    model = build(dict(ssl=dict(RELATION, in_channels=64)))
    with pytest.raises(ValueError) as info:
        model.loss(torch.rand(2, 3, 32, 32), samples())
    assert str(info.value).startswith(
        "aux head 'ssl' (PatchRelationHead): in_channels is 64, but the "
        'backbone grid it reads has 32 channels (shape (2, 32, 4, 4)); '
        'set in_channels=32.')
    model = build(dict(ssl=dict(DRLOC, in_channels=16)))
    with pytest.raises(ValueError, match='in_channels is 16, but the '):
        model.loss(torch.rand(2, 3, 32, 32), samples())
    # the classification head
    model = build(
        None,
        head=dict(
            type='VisionTransformerClsHead', num_classes=10, in_channels=48))
    with pytest.raises(ValueError) as info:
        model.loss(torch.rand(2, 3, 32, 32), samples())
    assert str(info.value).startswith(
        'head (VisionTransformerClsHead): in_channels is 48, but the '
        'backbone gives features of 32 channels (shape (2, 32)); set '
        'head.in_channels=32.')
    # a head used directly
    head = MODELS.build(dict(RELATION, in_channels=64))
    with pytest.raises(
            ValueError,
            match=r'in_channels is 64, but the grid '
            r'has shape \(1, 32, 4, 4\)'):
        head(torch.rand(1, C, 4, 4))


def test_relation_head_needs_one_dimension_per_score_map():
    with pytest.raises(ValueError) as info:
        MODELS.build(dict(type='PatchRelationHead', in_channels=8))
    assert str(info.value) == (
        "PatchRelationHead(task='relation'): in_channels must be an int "
        '>= 9 (one query/key dimension per score map at least), got 8')
    MODELS.build(
        dict(type='PatchRelationHead', in_channels=1, task='distance'))


@pytest.mark.parametrize('cfg, message', [
    (dict(type='PatchPermute', patch_size=0),
     'PatchPermute: patch_size must be a positive integer, got 0'),
    (dict(type='MegaPatches', num_side=2, patch_size=0),
     'MegaPatches: patch_size must be a positive integer, got 0'),
    (dict(type='PatchAugment', patch_size=0),
     'PatchAugment: patch_size must be a positive integer, got 0'),
    (dict(type='PatchAugment', patch_size=4, jitter_prob=5),
     'PatchAugment: jitter_prob is a probability in [0, 1], got 5'),
    (dict(type='PatchAugment', patch_size=4, gray_prob=-0.1),
     'PatchAugment: gray_prob is a probability in [0, 1], got -0.1'),
    (dict(type='PatchAugment', patch_size=4, crop_ratio=2),
     'PatchAugment: crop_ratio is the crop side over the patch side, in '
     '(0, 1], got 2'),
    (dict(type='PatchAugment', patch_size=4, jitter=(0.4, 0.4, 0.4, 0.7)),
     'PatchAugment: jitter strengths must be >= 0 and the hue strength at '
     'most 0.5'),
])
def test_patch_transform_arguments_refused_at_build(cfg, message):
    with pytest.raises(ValueError) as info:
        TRANSFORMS.build(cfg)
    assert str(info.value).startswith(message)


def test_backbone_refuses_zero_patch_size():
    with pytest.raises(ValueError) as info:
        MODELS.build(dict(BACKBONE, patch_size=0))
    assert str(info.value) == ('TokenViT: patch_size must be a positive '
                               'integer, got 0')


def test_patch_grid_refuses_zero_patch_size():
    from mmrelvit.datasets.transforms.patch_utils import patch_grid_shape
    with pytest.raises(ValueError, match='patch_size must be a positive '):
        patch_grid_shape(np.zeros((8, 8, 3)), 0)
