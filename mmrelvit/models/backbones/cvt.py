from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule, ModuleList
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm


class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channel axis of a ``(B, C, H, W)`` map.

    It reproduces the channel LayerNorm of the CvT copy used by DrLoc, which
    adds ``eps`` to the standard deviation (not to the variance as
    ``nn.LayerNorm`` does). It subclasses ``nn.LayerNorm`` and keeps 1-D
    ``weight``/``bias`` so that optimizer constructors recognise it as a
    norm layer (``norm_decay_mult``, ``flat_decay_mult``).

    Args:
        num_channels (int): Number of channels C.
        eps (float): Added to the standard deviation. Defaults to 1e-5.
    """

    def __init__(self, num_channels: int, eps: float = 1e-5):
        super().__init__(num_channels, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=1, keepdim=True)
        std = x.var(dim=1, unbiased=False, keepdim=True).sqrt()
        x = (x - mean) / (std + self.eps)
        return x * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class SeparableConvProjection(nn.Sequential):
    """Depth-wise separable convolutional projection of CvT.

    Depth-wise ``k x k`` conv (no bias) -> norm -> point-wise ``1 x 1`` conv
    (no bias).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Depth-wise kernel size (padding ``k // 2``).
        stride (int): Depth-wise stride (2 for the key/value projection).
        norm_cfg (dict): Norm between the two convs.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int, norm_cfg: dict):
        super().__init__(
            nn.Conv2d(
                in_channels,
                in_channels,
                kernel_size,
                stride=stride,
                padding=kernel_size // 2,
                groups=in_channels,
                bias=False),
            build_norm_layer(norm_cfg, in_channels)[1],
            nn.Conv2d(in_channels, out_channels, 1, bias=False))


class ConvAttention(BaseModule):
    """Multi-head attention with convolutional q/k/v projections.

    Keys and values are projected with a stride (``kv_stride``), so a
    ``(h, w)`` query grid attends to a ``(h/s, w/s)`` key grid.

    Args:
        embed_dims (int): Channels C of the input and output.
        num_heads (int): Number of heads.
        head_dims (int): Channels per head.
        proj_kernel (int): Kernel size of the projections.
        kv_stride (int): Stride of the key/value projection.
        attn_drop_rate (float): Dropout on attention weights.
        proj_drop_rate (float): Dropout after the output projection.
        norm_cfg (dict): Norm inside the projections.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 head_dims: int,
                 proj_kernel: int = 3,
                 kv_stride: int = 2,
                 attn_drop_rate: float = 0.,
                 proj_drop_rate: float = 0.,
                 norm_cfg: dict = dict(type='BN')):
        super().__init__()
        inner_dims = num_heads * head_dims
        self.num_heads = num_heads
        self.attn_drop_rate = attn_drop_rate
        self.to_q = SeparableConvProjection(embed_dims, inner_dims,
                                            proj_kernel, 1, norm_cfg)
        self.to_kv = SeparableConvProjection(embed_dims, inner_dims * 2,
                                             proj_kernel, kv_stride, norm_cfg)
        self.proj = nn.Conv2d(inner_dims, embed_dims, 1)
        self.proj_drop = nn.Dropout(proj_drop_rate)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        # (B, nH * d, h, w) -> (B, nH, h * w, d)
        B, _, h, w = x.shape
        return x.reshape(B, self.num_heads, -1, h * w).transpose(-2, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, _, h, w = x.shape
        q = self._split_heads(self.to_q(x))
        k, v = map(self._split_heads, self.to_kv(x).chunk(2, dim=1))
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=self.attn_drop_rate if self.training else 0.)
        out = out.transpose(-2, -1).reshape(B, -1, h, w)
        return self.proj_drop(self.proj(out))


class CvTBlock(BaseModule):
    """Pre-norm CvT block: conv attention and a 1x1-conv MLP.

    Args:
        embed_dims (int): Channels C.
        num_heads (int): Number of attention heads.
        head_dims (int): Channels per head.
        mlp_ratio (int): Hidden width of the MLP as a multiple of C.
        proj_kernel (int): Kernel size of the q/k/v projections.
        kv_stride (int): Stride of the key/value projection.
        drop_rate (float): Dropout in the MLP and after attention.
        attn_drop_rate (float): Dropout on attention weights.
        drop_path_rate (float): Stochastic depth rate of this block.
        norm_cfg (dict): Norm inside the q/k/v projections.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 head_dims: int,
                 mlp_ratio: int = 4,
                 proj_kernel: int = 3,
                 kv_stride: int = 2,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='BN')):
        super().__init__()
        self.norm1 = ChannelLayerNorm(embed_dims)
        self.attn = ConvAttention(embed_dims, num_heads, head_dims,
                                  proj_kernel, kv_stride, attn_drop_rate,
                                  drop_rate, norm_cfg)
        self.norm2 = ChannelLayerNorm(embed_dims)
        hidden = embed_dims * mlp_ratio
        self.ffn = nn.Sequential(
            nn.Conv2d(embed_dims, hidden, 1), nn.GELU(), nn.Dropout(drop_rate),
            nn.Conv2d(hidden, embed_dims, 1), nn.Dropout(drop_rate))
        self.drop_path = DropPath(drop_path_rate) \
            if drop_path_rate > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.ffn(self.norm2(x)))


@MODELS.register_module()
class CvT(BaseBackbone):
    """Convolutional vision Transformer (CvT) as used by DrLoc.

    A re-implementation of the community CvT ("lucidrains" style) that DrLoc
    trained (`Wu et al., ICCV 2021 <https://arxiv.org/abs/2103.15808>`_;
    DrLoc §3 and Tab. 3): three stages, each a strided conv token embedding
    followed by a channel LayerNorm and pre-norm blocks whose q/k/v are
    depth-wise separable convs (kernel 3, key/value stride 2). There is no
    class token, no positional embedding and no final norm, so the last
    stage's map is both the classification feature (with global average
    pooling in a neck) and DrLoc's token grid.

    Differences from Microsoft's official CvT-13: no stage-3 class token, no
    final norm, GELU 1x1-conv MLP, no stochastic depth by default.

    Args:
        arch (str | dict): ``'13'`` or a dict with ``embed_dims``,
            ``depths`` and ``num_heads`` (one entry per stage) and optionally
            ``head_dims`` (default ``embed_dims // num_heads``; CvT-13 uses
            64 everywhere), ``patch_sizes`` (default ``(7, 3, 3, ...)``),
            ``strides`` (default ``(4, 2, 2, ...)``), ``mlp_ratios``
            (default 4), ``proj_kernels`` (default 3) and ``kv_strides``
            (default 2). Defaults to ``'13'``.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int] | int): Stages whose output maps are
            returned, in stage order (negative indices allowed). Defaults
            to ``(-1, )``, the last stage (stage 2 of CvT-13).
        drop_rate (float): Dropout in the MLPs and after attention.
            Defaults to 0.
        attn_drop_rate (float): Dropout on attention weights. Defaults to 0.
        drop_path_rate (float): Stochastic depth rate, increased linearly
            over all blocks. Defaults to 0 (DrLoc's CvT has none).
        norm_cfg (dict): Norm inside the q/k/v projections.
            Defaults to ``dict(type='BN')``.
        frozen_stages (int): Stages to freeze (``-1`` freezes none).
            Defaults to -1.
        norm_eval (bool): Keep the batch norms in eval mode while training
            (useful for detection fine-tuning). Defaults to False.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None, i.e. PyTorch's default init, as in DrLoc's CvT.

    Returns:
        tuple[Tensor]: One ``(B, C_i, H_i, W_i)`` map per out index; for a
        224 input CvT-13 gives ``(B, 64, 56, 56)``, ``(B, 192, 28, 28)``,
        ``(B, 384, 14, 14)``.
    """
    arch_zoo = {
        '13':
        dict(
            embed_dims=(64, 192, 384),
            depths=(1, 2, 10),
            num_heads=(1, 3, 6),
            head_dims=(64, 64, 64)),
    }

    def __init__(self,
                 arch: Union[str, Dict] = '13',
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='BN'),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, list]] = None):
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self._parse_arch(arch)
        a = self.arch_settings
        num_stages = len(a['embed_dims'])
        if isinstance(out_indices, int):
            out_indices = (out_indices, )
        self.out_indices = []
        for i in out_indices:
            idx = i + num_stages if i < 0 else i
            if not 0 <= idx < num_stages:
                raise ValueError(f'out index {i} is out of range for '
                                 f'{num_stages} stages')
            self.out_indices.append(idx)
        self.num_stages = num_stages
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval

        dpr = torch.linspace(0, drop_path_rate, sum(a['depths'])).tolist()
        self.stages = ModuleList()
        in_dims, block_id = in_channels, 0
        for i in range(num_stages):
            dims = a['embed_dims'][i]
            stage = nn.Module()
            stage.patch_embed = nn.Conv2d(
                in_dims,
                dims,
                a['patch_sizes'][i],
                stride=a['strides'][i],
                padding=a['patch_sizes'][i] // 2)
            stage.embed_norm = ChannelLayerNorm(dims)
            stage.blocks = nn.Sequential(*[
                CvTBlock(
                    dims,
                    a['num_heads'][i],
                    a['head_dims'][i],
                    mlp_ratio=a['mlp_ratios'][i],
                    proj_kernel=a['proj_kernels'][i],
                    kv_stride=a['kv_strides'][i],
                    drop_rate=drop_rate,
                    attn_drop_rate=attn_drop_rate,
                    drop_path_rate=dpr[block_id + j],
                    norm_cfg=norm_cfg) for j in range(a['depths'][i])
            ])
            block_id += a['depths'][i]
            self.stages.append(stage)
            in_dims = dims
        self.embed_dims = tuple(a['embed_dims'])
        self._freeze_stages()

    @classmethod
    def _parse_arch(cls, arch: Union[str, Dict]) -> Dict:
        if isinstance(arch, str):
            if arch not in cls.arch_zoo:
                raise KeyError(f'Unknown CvT arch {arch!r}; choose from '
                               f'{sorted(cls.arch_zoo)} or pass a dict.')
            arch = cls.arch_zoo[arch]
        required = {'embed_dims', 'depths', 'num_heads'}
        if not required <= set(arch):
            raise KeyError(f'A CvT arch dict needs {sorted(required)}, '
                           f'got {sorted(arch)}.')
        n = len(arch['embed_dims'])
        defaults = dict(
            head_dims=[
                d // h for d, h in zip(arch['embed_dims'], arch['num_heads'])
            ],
            patch_sizes=[7] + [3] * (n - 1),
            strides=[4] + [2] * (n - 1),
            mlp_ratios=[4] * n,
            proj_kernels=[3] * n,
            kv_strides=[2] * n)
        settings = {**defaults, **arch}
        for key, value in settings.items():
            if isinstance(value, int):
                value = [value] * n
            if len(value) != n:
                raise ValueError(f'arch[{key!r}] has {len(value)} entries, '
                                 f'expected one per stage ({n}).')
            settings[key] = tuple(value)
        return settings

    def _freeze_stages(self):
        for i in range(min(self.frozen_stages + 1, self.num_stages)):
            stage = self.stages[i]
            stage.eval()
            for param in stage.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage.embed_norm(stage.patch_embed(x))
            x = stage.blocks(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
