"""PatchRelationHead / AbsPositionHead: shapes, scores, losses, targets."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from mmrelvit.models.heads import AbsPositionHead, PatchRelationHead
from mmrelvit.models.utils import class_dim_accuracy, relation_targets

C, S = 32, 4
N = S * S


def samples(perms=None, batch=2):
    out = []
    for b in range(batch):
        sample = DataSample()
        if perms is not None:
            sample.set_metainfo(dict(patch_perm=perms[b].numpy()))
        out.append(sample)
    return out


@pytest.mark.parametrize('task,maps', [('relation', 9), ('distance', 1),
                                       ('angle', 1)])
def test_scores_are_scaled_per_head_dot_products(task, maps):
    torch.manual_seed(0)
    head = PatchRelationHead(in_channels=C, task=task)
    dh = C // maps
    assert head.query.weight.shape == (maps * dh, C)
    assert head.query.bias is None and head.key.bias is None
    assert not hasattr(head, 'value')
    x = torch.randn(2, C, S, S)
    scores = head(x)
    assert scores.shape == (2, maps, N, N)

    z = x.flatten(2).transpose(1, 2)  # row-major tokens
    for k in range(maps):
        wq = head.query.weight[k * dh:(k + 1) * dh]
        wk = head.key.weight[k * dh:(k + 1) * dh]
        expected = (z @ wq.T) @ (z @ wk.T).transpose(1, 2) / math.sqrt(dh)
        torch.testing.assert_close(scores[:, k], expected)


def test_relation_loss_and_accuracy():
    torch.manual_seed(0)
    head = PatchRelationHead(in_channels=C)
    x = torch.randn(2, C, S, S)
    losses = head.loss(x, samples())
    assert set(losses) == {'loss_relation', 'acc_relation'}
    scores = head(x)
    target = relation_targets(S)['relation'].expand(2, N, N)
    torch.testing.assert_close(losses['loss_relation'],
                               F.cross_entropy(scores, target))
    acc = (scores.argmax(1) == target).float().mean()
    torch.testing.assert_close(losses['acc_relation'], acc)


@pytest.mark.parametrize('task', ['relation', 'distance', 'angle'])
def test_loss_uses_patch_perm(task):
    torch.manual_seed(0)
    head = PatchRelationHead(in_channels=C, task=task)
    x = torch.randn(2, C, S, S)
    perms = torch.stack([torch.randperm(N), torch.randperm(N)])
    scores = head(x)
    target = relation_targets(S, perms)[task]
    plain = relation_targets(S)[task].expand(2, N, N)
    if task == 'relation':
        expected = F.cross_entropy(scores, target)
        unpermuted = F.cross_entropy(scores, plain)
    else:
        expected = F.mse_loss(scores[:, 0], target)
        unpermuted = F.mse_loss(scores[:, 0], plain)
    loss = head.loss(x, samples(perms))[f'loss_{task}']
    torch.testing.assert_close(loss, expected)
    assert not torch.allclose(loss, unpermuted)


def test_loss_weight_and_registry_build():
    torch.manual_seed(0)
    cfg = dict(
        type='PatchRelationHead',
        in_channels=C,
        task='distance',
        loss=dict(type='MSELoss', loss_weight=0.5))
    head = MODELS.build(cfg)
    full = PatchRelationHead(in_channels=C, task='distance')
    full.load_state_dict(head.state_dict())
    x = torch.randn(2, C, S, S)
    torch.testing.assert_close(
        head.loss(x)['loss_distance'], 0.5 * full.loss(x)['loss_distance'])
    with pytest.raises(ValueError, match='task'):
        PatchRelationHead(in_channels=C, task='depth')


def test_position_head():
    torch.manual_seed(0)
    head = AbsPositionHead(in_channels=C, num_patches=N)
    x = torch.randn(2, C, S, S)
    logits = head(x)
    assert logits.shape == (2, N, N)  # (B, classes, tokens)
    perms = torch.stack([torch.randperm(N), torch.randperm(N)])
    losses = head.loss(x, samples(perms))
    assert set(losses) == {'loss_position', 'acc_position'}
    torch.testing.assert_close(losses['loss_position'],
                               F.cross_entropy(logits, perms))
    torch.testing.assert_close(losses['acc_position'],
                               (logits.argmax(1) == perms).float().mean())
    identity = torch.arange(N).expand(2, N)
    torch.testing.assert_close(
        head.loss(x, samples())['loss_position'],
        F.cross_entropy(logits, identity))
    with pytest.raises(ValueError, match='16 patches'):
        head(torch.randn(1, C, 3, 3))


def test_non_square_grid_is_refused():
    head = PatchRelationHead(in_channels=C)
    with pytest.raises(ValueError, match='square'):
        head.loss(torch.randn(1, C, 2, 3))


def test_class_dim_accuracy_known_values():
    # 3 classes on dim 1, 2 x 2 positions: argmax classes [[0, 2], [1, 1]]
    logits = torch.zeros(1, 3, 2, 2)
    logits[0, 0, 0, 0] = logits[0, 2, 0, 1] = 1.
    logits[0, 1, 1, :] = 2.
    target = torch.tensor([[[0, 1], [1, 2]]])
    assert class_dim_accuracy(logits, target).item() == 0.5
    # an expanded target (the relation heads' cached map) works as is
    scores = torch.randn(4, 9, 5, 5, requires_grad=True)
    shared = torch.randint(0, 9, (5, 5)).expand(4, 5, 5)
    acc = class_dim_accuracy(scores, shared)
    assert not acc.requires_grad
    torch.testing.assert_close(acc,
                               (scores.argmax(1) == shared).float().mean())
