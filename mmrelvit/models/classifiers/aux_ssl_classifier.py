from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn.bricks.transformer import AdaptivePadding
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils.aux_ssl import check_aux_grids, check_in_index
from ..utils.build import ModuleCfg, build_aux_heads
from ..utils.build import build_grid_pool as _build_pool
from ..utils.build import build_pretrain_module as _build


def _refuse_padding(module: AdaptivePadding, args: tuple) -> None:
    """Forward pre-hook of the backbone's ``AdaptivePadding`` layers while
    aux heads are trained: padding would put border cells of zeros into
    the token grid the heads learn relations / positions / offsets on."""
    if not getattr(module, 'refuse_padding', False):
        return
    h, w = args[0].shape[-2:]
    pad_h, pad_w = module.get_pad_shape((h, w))
    if pad_h or pad_w:
        stride = tuple(module.stride)
        raise ValueError(
            f'{module.refuse_padding}: its {h}x{w} (h x w) input is not a '
            f'multiple of its stride (patch size) {stride[0]}x{stride[1]}; '
            f'it would be padded by {pad_h}x{pad_w} pixels and the aux '
            'heads would train on padded border cells. Crop or resize the '
            'images so that each side is a multiple of the patch size (of '
            'the total stride for a hierarchical backbone).')


@MODELS.register_module()
class AuxSSLClassifier(ImageClassifier):
    """Image classifier with auxiliary self-supervised heads on the tokens.

    One wrapper serves supervised training (``head`` only), joint training
    (``head`` and ``aux_heads``), pure self-supervised pretraining
    (``head=None``) and linear probing (``freeze_backbone=True``).

    Backbone output contract: a tuple with one element per out index, each
    either a feature map (B, C, h, w) (Swin, ResNet, ...) or a pair
    ``(patch_grid (B, C, h, w), cls_token (B, C))`` (:class:`TokenViT`,
    :class:`TokenT2TViT`). The wrapper splits it into ``feats``, what the
    neck and head consume (the class token of a pair, the map otherwise),
    and ``grids``, the token maps the aux heads consume. An aux head reads
    ``grids[head.in_index]`` (default -1); a sequence ``in_index`` gives it a
    tuple of grids.

    Checks in :meth:`loss`, each one ``ValueError`` naming the head and the
    value: while aux heads train, a backbone layer that would pad its input
    (an image side not a multiple of the patch size, so the grid gets
    padded border cells) and a 1x1 grid (nothing to predict) are refused;
    so are an ``in_index`` outside the backbone outputs and an
    ``in_channels`` (aux or classification head) that is not the channels
    of what the head gets.

    Losses: the head's ``'loss'`` is renamed ``'loss_cls'`` (a bare
    ``'loss'`` would hide the total in mmengine's logs); every aux head
    returns its own ``'loss_<task>'`` terms and loss-free metric names.
    ``predict`` and ``'tensor'`` mode are those of
    :class:`mmpretrain.models.ImageClassifier`; aux heads are unused there.

    Args:
        backbone (dict | nn.Module): The backbone.
        neck (dict | nn.Module, optional): Neck applied to ``feats``.
            Defaults to None.
        head (dict | nn.Module, optional): Classification head. None means
            pure self-supervised training. Defaults to None.
        aux_heads (dict, optional): ``{name: head cfg or module}``; each head
            provides ``loss(x, data_samples) -> dict``. A task is on iff its
            head is listed; its weight is its loss's ``loss_weight``.
            Defaults to None.
        grid_pool (dict | nn.Module, optional): Module applied to every grid
            before the aux heads, a registered type or a ``torch.nn`` layer
            name, e.g. ``dict(type='AvgPool2d',
            kernel_size=3, stride=2, padding=1, count_include_pad=False)``
            for T2T-ViT's 14x14 -> 7x7. Defaults to None.
        freeze_backbone (bool): Freeze all backbone parameters and keep the
            backbone in eval mode (linear probing). Defaults to False.
        pretrained (str, optional): See :class:`ImageClassifier`.
        train_cfg (dict, optional): See :class:`ImageClassifier`.
        data_preprocessor (dict | nn.Module, optional): Defaults to
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): Initialization config. Defaults to None.
    """

    def __init__(self,
                 backbone: ModuleCfg,
                 neck: Optional[ModuleCfg] = None,
                 head: Optional[ModuleCfg] = None,
                 aux_heads: Optional[Dict[str, ModuleCfg]] = None,
                 grid_pool: Optional[ModuleCfg] = None,
                 freeze_backbone: bool = False,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[ModuleCfg] = None,
                 init_cfg: Optional[dict] = None):
        if not isinstance(data_preprocessor, nn.Module):
            data_preprocessor = dict(data_preprocessor or {})
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor.setdefault('_scope_', 'mmpretrain')
        super().__init__(
            backbone=_build(backbone),
            neck=_build(neck),
            head=_build(head),
            pretrained=pretrained,
            train_cfg=train_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.aux_heads = build_aux_heads(aux_heads)
        self.grid_pool = _build_pool(grid_pool)
        # Layers that pad a non-multiple input (mmcv's PatchEmbed and
        # PatchMerging); refused while the aux heads train, see loss().
        self._padding_layers = []
        if len(self.aux_heads):
            for name, module in self.backbone.named_modules():
                if isinstance(module, AdaptivePadding):
                    module.refuse_padding = False
                    module.register_forward_pre_hook(_refuse_padding)
                    self._padding_layers.append((f'backbone.{name}', module))
        self.freeze_backbone = freeze_backbone
        if freeze_backbone:
            self.backbone.requires_grad_(False)
            self.backbone.eval()

    def train(self, mode: bool = True):
        super().train(mode)
        if self.freeze_backbone:
            # Keep dropout / drop-path / norm statistics of a frozen
            # backbone in inference behaviour.
            self.backbone.eval()
        return self

    @contextmanager
    def _refusing_padding(self):
        for name, layer in self._padding_layers:
            layer.refuse_padding = name
        try:
            yield
        finally:
            for _, layer in self._padding_layers:
                layer.refuse_padding = False

    def _check_head_channels(self, x) -> None:
        """Name the mismatch of the classification head's ``in_channels``
        and the features it gets (else a bare matmul shape error)."""
        channels = getattr(self.head, 'in_channels', None)
        last = x[-1] if isinstance(x, (tuple, list)) else x
        if isinstance(channels, int) and isinstance(last, torch.Tensor) \
                and last.dim() == 2 and last.shape[1] != channels:
            source = 'neck' if self.with_neck else 'backbone'
            raise ValueError(
                f'head ({type(self.head).__name__}): in_channels is '
                f'{channels}, but the {source} gives features of '
                f'{last.shape[1]} channels (shape {tuple(last.shape)}); '
                f'set head.in_channels={last.shape[1]}.')

    def extract_tokens(
        self, inputs: torch.Tensor
    ) -> Tuple[Tuple[torch.Tensor, ...], Tuple[Optional[torch.Tensor], ...]]:
        """Run the backbone and split its output into feats and grids.

        Args:
            inputs (torch.Tensor): Images of shape (B, 3, H, W).

        Returns:
            tuple: ``(feats, grids)``, one element per backbone out index.
            ``feats[i]`` is the class token (B, C) of a token pair or the
            feature map itself; ``grids[i]`` is the (pooled) token grid
            (B, C, h, w), or None for an output without spatial tokens.
        """
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.freeze_backbone):
            outs = self.backbone(inputs)
        if isinstance(outs, torch.Tensor):
            outs = (outs, )
        feats, grids = [], []
        for out in outs:
            if isinstance(out, (tuple, list)):
                grid, feat = out
            else:
                feat = out
                grid = out if out.dim() == 4 else None
            if grid is not None and self.grid_pool is not None:
                grid = self.grid_pool(grid)
            feats.append(feat)
            grids.append(grid)
        return tuple(feats), tuple(grids)

    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck'):
        """Features for the classification path.

        Same stages as :meth:`ImageClassifier.extract_feat`, except that
        ``'backbone'`` returns ``feats`` (class tokens for token pairs); use
        :meth:`extract_tokens` for the grids.
        """
        assert stage in ('backbone', 'neck', 'pre_logits'), \
            f'Invalid output stage "{stage}"'
        x, _ = self.extract_tokens(inputs)
        if stage == 'backbone':
            return x
        if self.with_neck:
            x = self.neck(x)
        if stage == 'neck':
            return x
        if self.with_head:
            self._check_head_channels(x)
        assert self.with_head and hasattr(self.head, 'pre_logits'), \
            "No head or the head doesn't implement `pre_logits` method."
        return self.head.pre_logits(x)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """Classification loss (if any) plus every aux head's terms.

        Args:
            inputs (torch.Tensor): Images of shape (B, 3, H, W).
            data_samples (List[DataSample]): Annotations; aux heads read
                e.g. the ``patch_perm`` metainfo from them.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_<task>`` and metrics.
        """
        if not self.with_head and len(self.aux_heads) == 0:
            raise RuntimeError('AuxSSLClassifier has neither a head nor aux '
                               'heads: there is nothing to train.')
        with self._refusing_padding():
            feats, grids = self.extract_tokens(inputs)
        losses = dict()
        if self.with_head:
            x = self.neck(feats) if self.with_neck else feats
            self._check_head_channels(x)
            for key, value in self.head.loss(x, data_samples).items():
                losses['loss_cls' if key == 'loss' else key] = value
        for name, head in self.aux_heads.items():
            x = self._select_grids(grids, getattr(head, 'in_index', -1), name)
            check_aux_grids(name, head, x if isinstance(x, tuple) else (x, ))
            for key, value in head.loss(x, data_samples).items():
                if key in losses:
                    raise KeyError(
                        f'aux head {name!r} returns {key!r}, which another '
                        'head already returned; give each task one head.')
                losses[key] = value
        return losses

    @staticmethod
    def _select_grids(grids: Tuple[Optional[torch.Tensor], ...],
                      in_index: Union[int, Sequence[int]], name: str):
        indices = check_in_index(name, in_index, len(grids))
        selected = []
        for i in indices:
            if grids[i] is None:
                raise ValueError(
                    f'aux head {name!r} reads backbone output {i}, which '
                    'has no token grid (use a token out_type such as '
                    "TokenViT's 'tokens', or a feature-map backbone).")
            selected.append(grids[i])
        return selected[0] if isinstance(in_index, int) else tuple(selected)
