"""DenseCrossEntropyLoss: values and gradients of F.cross_entropy."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

import mmrelvit.models  # noqa: F401
from mmrelvit.models.heads import PatchRelationHead
from mmrelvit.models.losses import (DenseCrossEntropyLoss,
                                    class_dim_cross_entropy)


@pytest.mark.parametrize('shape', [(3, 9, 5, 5), (2, 4, 7), (6, 3)])
def test_values_and_grads_match_cross_entropy(shape):
    torch.manual_seed(0)
    logits = (torch.randn(shape) * 5).requires_grad_()
    target = torch.randint(0, shape[1], shape[:1] + shape[2:])
    upstream = torch.rand(target.shape)  # a non-uniform incoming gradient

    ours = class_dim_cross_entropy(logits, target)
    (grad, ) = torch.autograd.grad((ours * upstream).sum(), logits)
    ref = F.cross_entropy(logits, target, reduction='none')
    (ref_grad, ) = torch.autograd.grad((ref * upstream).sum(), logits)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(grad, ref_grad)


def test_gradcheck_double_and_expanded_target():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 4, 4, dtype=torch.double, requires_grad=True)
    # the relation head's target is an expanded (N, N) map
    target = torch.randint(0, 3, (4, 4)).expand(2, 4, 4)
    assert torch.autograd.gradcheck(
        lambda x: class_dim_cross_entropy(x, target), (logits, ))


def test_large_logits_do_not_overflow():
    logits = torch.tensor([[1000., 0., -1000.]], requires_grad=True)
    loss = class_dim_cross_entropy(logits, torch.tensor([1]))
    torch.testing.assert_close(loss, torch.tensor([1000.]))
    loss.sum().backward()
    torch.testing.assert_close(logits.grad, torch.tensor([[1., -1., 0.]]))


def test_half_logits_reduce_in_float32():
    torch.manual_seed(0)
    logits = torch.randn(2, 9, 6, 6).half().requires_grad_()
    target = torch.randint(0, 9, (2, 6, 6))
    loss = class_dim_cross_entropy(logits, target)
    assert loss.dtype == torch.float32
    torch.testing.assert_close(
        loss, F.cross_entropy(logits.float(), target, reduction='none'))
    loss.mean().backward()
    assert logits.grad.dtype == torch.half


def test_module_reductions_weight_and_registry():
    torch.manual_seed(0)
    logits = torch.randn(2, 9, 4, 4)
    target = torch.randint(0, 9, (2, 4, 4))
    loss = MODELS.build(dict(type='DenseCrossEntropyLoss', loss_weight=0.5))
    ref = F.cross_entropy(logits, target, reduction='none')
    torch.testing.assert_close(loss(logits, target), 0.5 * ref.mean())
    torch.testing.assert_close(
        loss(logits, target, reduction_override='sum'), 0.5 * ref.sum())
    weight = (target > 3).float()
    torch.testing.assert_close(
        loss(logits, target, weight=weight, avg_factor=weight.sum()),
        0.5 * (ref * weight).sum() / weight.sum())


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match='reduction'):
        DenseCrossEntropyLoss(reduction='avg')
    with pytest.raises(ValueError, match=r'\(2, 9, 4, 4\) vs \(2, 4\)'):
        class_dim_cross_entropy(
            torch.randn(2, 9, 4, 4), torch.zeros(2, 4, dtype=torch.long))


def test_relation_head_uses_it_by_default_and_trains_the_input():
    head = PatchRelationHead(in_channels=18)
    assert isinstance(head.loss_module, DenseCrossEntropyLoss)
    x = torch.randn(2, 18, 3, 3, requires_grad=True)
    head.loss(x)['loss_relation'].backward()
    assert x.grad.abs().sum() > 0 and head.query.weight.grad.abs().sum() > 0
