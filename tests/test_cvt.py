"""CvT backbone: CvT-13 size and shapes, tiny archs, DrLoc on top."""
import pytest
import torch
from mmpretrain.registry import MODELS

import mmrelvit.models  # noqa: F401
from mmrelvit.models.backbones.cvt import ChannelLayerNorm, CvT

TINY = dict(embed_dims=(8, 16), depths=(1, 1), num_heads=(1, 2))


def test_cvt13_parameter_count_and_shapes():
    model = MODELS.build(dict(type='CvT', arch='13'))
    n = sum(p.numel() for p in model.parameters())
    # 19.55M for the backbone; 19.94M with a 1000-way linear classifier,
    # the "20M" of DrLoc Tab. 3 (lucidrains' CvT-13 has no other params).
    assert 19.4e6 < n < 19.7e6
    assert 19.8e6 < n + 384 * 1000 + 1000 < 20.1e6
    s = model.stages
    assert [len(st.blocks) for st in s] == [1, 2, 10]
    assert [st.patch_embed.stride[0] for st in s] == [4, 2, 2]
    assert [st.patch_embed.kernel_size[0] for st in s] == [7, 3, 3]
    attn = s[2].blocks[0].attn
    assert attn.num_heads == 6 and attn.to_kv[0].stride == (2, 2)
    assert attn.to_q[0].groups == 384  # depth-wise q projection
    # Shapes on a small input (224 is too slow for CI): strides 4, 2, 2.
    model.out_indices = [0, 1, 2]
    model.eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 64, 16, 16), (1, 192, 8, 8),
                                              (1, 384, 4, 4)]
    assert CvT().out_indices == [2]


def test_tiny_arch_forward_backward():
    torch.manual_seed(0)
    model = CvT(arch=TINY, out_indices=(0, -1), drop_path_rate=0.1)
    model.init_weights()
    model.train()
    outs = model(torch.randn(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 8, 8), (2, 16, 4, 4)]
    sum(o.mean() for o in outs).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.parameters())
    # Odd grids: the stride-2 key/value grid is smaller than the query grid.
    assert model(torch.randn(1, 3, 36, 28))[1].shape == (1, 16, 5, 4)


def test_arch_validation_and_freezing():
    with pytest.raises(KeyError):
        CvT(arch='21')
    with pytest.raises(KeyError, match='depths'):
        CvT(arch=dict(embed_dims=(8, )))
    with pytest.raises(ValueError, match='one per stage'):
        CvT(arch=dict(TINY, num_heads=(1, 2, 3)))
    with pytest.raises(ValueError, match='out of range'):
        CvT(arch=TINY, out_indices=(2, ))
    model = CvT(arch=TINY, frozen_stages=0, norm_eval=True).train()
    assert not any(p.requires_grad for p in model.stages[0].parameters())
    assert all(p.requires_grad for p in model.stages[1].parameters())
    bn = model.stages[1].blocks[0].attn.to_q[1]
    assert not bn.training


def test_channel_layer_norm_matches_reference_formula():
    norm = ChannelLayerNorm(4)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1., 2., 3., 4.]))
        norm.bias.fill_(0.5)
    x = torch.randn(2, 4, 3, 3)
    mean = x.mean(1, keepdim=True)
    std = x.var(1, unbiased=False, keepdim=True).sqrt()
    ref = (x - mean) / (std + 1e-5) * norm.weight.view(1, -1, 1, 1) + 0.5
    torch.testing.assert_close(norm(x), ref)
    assert norm.weight.ndim == 1  # no weight decay with flat_decay_mult=0


def test_drloc_cvt_recipe_in_wrapper():
    # DrLoc's CvT recipe: GAP + linear classifier on the last map; DrLoc on
    # that map after AvgPool2d(3, 2, 1, count_include_pad=False).
    from mmpretrain.structures import DataSample
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='AuxSSLClassifier',
            backbone=dict(type='CvT', arch=TINY),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=10, in_channels=16),
            aux_heads=dict(
                drloc=dict(
                    type='DrLocHead',
                    in_channels=16,
                    hidden_channels=16,
                    loss_weight=0.1)),
            grid_pool=dict(
                type='AvgPool2d',
                kernel_size=3,
                stride=2,
                padding=1,
                count_include_pad=False)))
    model.init_weights()
    _, grids = model.extract_tokens(torch.randn(2, 3, 32, 32))
    assert grids[-1].shape == (2, 16, 2, 2)  # 4x4 last map pooled
    samples = [DataSample().set_gt_label(i) for i in range(2)]
    losses = model.loss(torch.randn(2, 3, 32, 32), samples)
    assert set(losses) == {'loss_cls', 'loss_drloc'}
    losses['loss_drloc'].backward()
    assert model.backbone.stages[0].patch_embed.weight.grad.abs().sum() > 0
