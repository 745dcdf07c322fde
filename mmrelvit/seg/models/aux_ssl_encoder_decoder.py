from typing import Dict, Optional, Sequence, Tuple

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig, SampleList

from mmrelvit.models.utils.aux_ssl import add_aux_head_losses
from mmrelvit.models.utils.build import ModuleCfg, build_aux_heads
from mmrelvit.models.utils.build import build_grid_pool as _build_pool


@MODELS.register_module()
class AuxSSLEncoderDecoder(EncoderDecoder):
    """UperNet-style :class:`EncoderDecoder` trained jointly with the
    RelViT / DrLoc self-supervised heads.

    The heads are the classes used for pretraining
    (:class:`~mmrelvit.models.heads.PatchRelationHead`,
    :class:`~mmrelvit.models.heads.AbsPositionHead`, ``DrLocHead``): each
    gets a backbone output map, before the neck, and returns ``loss_<task>``
    terms (and loss-free metrics) that are added to mmseg's ``decode.*`` /
    ``aux.*`` losses. By default a head reads the backbone's last output,
    i.e. the final token grid: the 32x32 grid of ViT-S/16 at 512x512 or
    Swin-T's stage-4 map.

    Not to be confused with mmseg's ``auxiliary_head`` (deep supervision
    with segmentation labels), which is kept as is. ``predict`` / ``tensor``
    modes are those of :class:`EncoderDecoder`; the SSL heads are unused
    there, and a checkpoint of this model loads into a plain
    ``EncoderDecoder`` (the ``aux_heads.*`` keys are simply unexpected).

    Backbone outputs may be feature maps (B, C, h, w) or token pairs
    ``(patch_grid, cls_token)`` as ``TokenViT(out_type='tokens')`` yields;
    only the grids are used.

    Args:
        backbone, decode_head, neck, auxiliary_head, train_cfg, test_cfg,
        data_preprocessor, pretrained, init_cfg: See
            :class:`mmseg.models.EncoderDecoder`.
        aux_heads (dict, optional): ``{name: head cfg or module}``; heads
            are built in mmpretrain's scope, so ``type='PatchRelationHead'``
            works as in pretraining configs. Each head provides
            ``loss(x, data_samples) -> dict`` and reads
            ``grids[head.in_index]`` (default -1; a sequence gives a tuple).
            A task is on iff its head is listed; its weight is its loss's
            ``loss_weight``. Defaults to None.
        grid_pool (dict | nn.Module, optional): Module applied to each grid
            a head reads, e.g. ``dict(type='AdaptiveAvgPool2d',
            output_size=14)`` to give the heads the pretraining grid size.
            Defaults to None.
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 neck: OptConfigType = None,
                 auxiliary_head: OptConfigType = None,
                 aux_heads: Optional[Dict[str, ModuleCfg]] = None,
                 grid_pool: Optional[ModuleCfg] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None):
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        self.aux_heads = build_aux_heads(aux_heads)
        self.grid_pool = _build_pool(grid_pool)

    @staticmethod
    def _grids(outs) -> Tuple[torch.Tensor, ...]:
        """Backbone outputs as feature maps (token pairs -> their grid)."""
        if isinstance(outs, torch.Tensor):
            outs = (outs, )
        return tuple(out[0] if isinstance(out, (tuple, list)) else out
                     for out in outs)

    def extract_feat(self, inputs: torch.Tensor) -> Sequence[torch.Tensor]:
        """Backbone (grids only) and neck, as :class:`EncoderDecoder`."""
        x = self._grids(self.backbone(inputs))
        if self.with_neck:
            x = self.neck(x)
        return x

    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        """Segmentation losses plus every SSL head's terms.

        Args:
            inputs (torch.Tensor): Images of shape (B, 3, H, W).
            data_samples (list[SegDataSample]): Samples with ``gt_sem_seg``.

        Returns:
            dict[str, torch.Tensor]: ``decode.*``, ``aux.*`` (if an
            ``auxiliary_head`` is set) and ``loss_<task>`` plus metrics.
        """
        grids = self._grids(self.backbone(inputs))
        x = self.neck(grids) if self.with_neck else grids
        losses = self._decode_head_forward_train(x, data_samples)
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return add_aux_head_losses(losses, self.aux_heads, grids, data_samples,
                                   self.grid_pool)
