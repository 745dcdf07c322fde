"""ViTPyramidNeck: the simple feature pyramid between a plain ViT and FPN."""
import os.path as osp

import pytest
import torch

from mmrelvit.models.necks import ViTPyramidNeck

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_stride16_map_gives_strides_4_to_32_vitdet_channels():
    neck = ViTPyramidNeck(in_channels=64)
    x = torch.randn(2, 64, 8, 8)  # a 128 px input at stride 16
    outs = neck((x, ))
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 32), (2, 32, 16, 16),
                                              (2, 64, 8, 8), (2, 64, 4, 4)]
    assert neck.out_channels == [16, 32, 64, 64]
    # stride 16 is the input itself, stride 32 its 2x2 max
    assert torch.equal(outs[2], x)
    assert torch.equal(outs[3], x.reshape(2, 64, 4, 2, 4, 2).amax((3, 5)))


def test_stride4_backbone_scales():
    # the digits ViT (patch 4): strides 4/8/16/32 from a stride-4 grid
    neck = ViTPyramidNeck(in_channels=32, scales=(1, 0.5, 0.25, 0.125))
    outs = neck((torch.randn(1, 32, 32, 32), ))
    assert [o.shape[-1] for o in outs] == [32, 16, 8, 4]
    assert neck.out_channels == [32] * 4


def test_one_map_per_level_and_gradients():
    neck = ViTPyramidNeck(in_channels=16, scales=(4, 2, 1, 0.5))
    maps = [torch.randn(1, 16, 4, 4, requires_grad=True) for _ in range(4)]
    outs = neck(maps)
    assert torch.equal(outs[2], maps[2])
    outs[0].sum().backward()
    # level 0 (two transposed convs, norm + act between) reads map 0 only
    assert maps[0].grad.abs().sum() > 0
    assert all(m.grad is None for m in maps[1:])
    assert len(neck.levels[0]) == 4  # deconv, norm, act, deconv


def test_invalid_arguments():
    with pytest.raises(ValueError, match='powers of two'):
        ViTPyramidNeck(in_channels=64, scales=(3, 1))
    with pytest.raises(ValueError, match='cannot be halved'):
        ViTPyramidNeck(in_channels=6, scales=(4, ))
    neck = ViTPyramidNeck(in_channels=8)
    with pytest.raises(ValueError, match='takes 1 or 4 maps'):
        neck([torch.randn(1, 8, 4, 4)] * 2)


def test_config_neck_list_builds_sequential_with_fpn():
    """The det fragments give ``neck=[pyramid, FPN]``; mmengine builds a
    list as a Sequential under mmdet's default scope."""
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.model import Sequential
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/models/'
                 'det_vit-small-p16_pyramid-fpn.py'))
    init_default_scope('mmdet')
    neck = MODELS.build(cfg.det_neck)
    assert isinstance(neck, Sequential)
    outs = neck((torch.randn(1, 384, 8, 8), ))  # ViT-S/16 on 128 px
    assert [tuple(o.shape) for o in outs] == [(1, 256, s, s)
                                              for s in (32, 16, 8, 4, 2)]
