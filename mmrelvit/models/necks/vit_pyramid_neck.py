import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer
from mmengine.model import BaseModule
from mmpretrain.models.utils import build_norm_layer
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ViTPyramidNeck(BaseModule):
    """Simple feature pyramid for plain (single-scale) vision transformers.

    The simple pyramid of `ViTDet <https://arxiv.org/abs/2203.16527>`_: the
    backbone's single feature map is upsampled by stride-2 transposed
    convolutions (with a norm and an activation between two of them) and
    downsampled by max pooling, so that a plain ViT, T2T-ViT or any stride-s
    backbone feeds a multi-scale neck such as mmdet's ``FPN``. Only the
    rescaling lives here: chain it with ``FPN`` for the lateral and output
    convolutions, e.g. ``neck=[dict(type='mmpretrain.ViTPyramidNeck', ...),
    dict(type='FPN', ...)]`` (a list is built as ``nn.Sequential``).

    As in ViTDet, upsampling by ``s`` divides the channels by ``s``: a
    stride-16 map of C channels with the default scales gives strides
    4/8/16/32 with C/4, C/2, C and C channels (:attr:`out_channels`).

    Args:
        in_channels (int): Channels C of the input map(s).
        scales (Sequence[float]): Resize factor of every output level, each
            a power of two. Defaults to ``(4, 2, 1, 0.5)`` (a stride-16
            backbone -> strides 4, 8, 16, 32); a stride-4 backbone (patch
            size 4) uses ``(1, 0.5, 0.25, 0.125)``.
        norm_cfg (dict): Norm between two transposed convolutions.
            Defaults to ``dict(type='LN2d', eps=1e-6)``.
        act_cfg (dict): Activation after that norm. Defaults to
            ``dict(type='GELU')``.
        init_cfg (dict, optional): Initialization config. Defaults to None.

    Inputs are a sequence of maps (B, C, h, w): either one map (every level
    is made from it, as ViTDet does from the last block) or ``len(scales)``
    maps of the same size (level i from map i, as mmseg's
    ``Feature2Pyramid`` does from blocks (3, 5, 7, 11)).
    """

    def __init__(self,
                 in_channels: int,
                 scales: Sequence[float] = (4, 2, 1, 0.5),
                 norm_cfg: dict = dict(type='LN2d', eps=1e-6),
                 act_cfg: dict = dict(type='GELU'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.scales = tuple(scales)
        self.out_channels: List[int] = []
        self.levels = nn.ModuleList()
        for scale in self.scales:
            log2 = math.log2(scale) if scale > 0 else float('nan')
            if not log2 == round(log2):
                raise ValueError(f'scales must be powers of two, got {scale}')
            steps = int(round(log2))
            channels = in_channels >> max(steps, 0)
            if channels << max(steps, 0) != in_channels:
                raise ValueError(f'in_channels={in_channels} cannot be '
                                 f'halved {steps} times for scale {scale}')
            self.levels.append(
                self._make_level(in_channels, steps, norm_cfg, act_cfg))
            self.out_channels.append(channels)

    @staticmethod
    def _make_level(channels: int, steps: int, norm_cfg: dict,
                    act_cfg: dict) -> nn.Module:
        if steps == 0:
            return nn.Identity()
        if steps < 0:
            return nn.MaxPool2d(kernel_size=2**-steps, stride=2**-steps)
        layers = []
        for i in range(steps):
            if i > 0:
                layers += [
                    build_norm_layer(norm_cfg, channels),
                    build_activation_layer(act_cfg)
                ]
            layers.append(
                nn.ConvTranspose2d(
                    channels, channels // 2, kernel_size=2, stride=2))
            channels //= 2
        return nn.Sequential(*layers)

    def forward(self,
                inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        """Rescale the backbone map(s) into a pyramid.

        Args:
            inputs (Sequence[torch.Tensor]): One map or ``len(scales)`` maps,
                each of shape (B, C, h, w).

        Returns:
            tuple[torch.Tensor]: One NCHW-contiguous map per scale, level i
            of shape (B, out_channels[i], h * scales[i], w * scales[i])
            (floor for downsampling).
        """
        if isinstance(inputs, torch.Tensor):
            inputs = (inputs, )
        if len(inputs) == 1:
            inputs = tuple(inputs) * len(self.levels)
        elif len(inputs) != len(self.levels):
            raise ValueError(
                f'ViTPyramidNeck with {len(self.levels)} scales takes 1 or '
                f'{len(self.levels)} maps, got {len(inputs)}')
        # A ViT's token grid is a permuted view (channels-last strides), and
        # convolutions keep that layout: mmcv's RoIAlign and other custom
        # ops read the storage as NCHW and would sample scrambled features.
        return tuple(
            level(x.contiguous()).contiguous()
            for level, x in zip(self.levels, inputs))
