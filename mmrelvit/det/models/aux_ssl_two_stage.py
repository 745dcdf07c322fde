from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmdet.models.detectors import TwoStageDetector
from mmdet.registry import MODELS
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from mmrelvit.models.utils.aux_ssl import add_aux_head_losses
from mmrelvit.models.utils.build import ModuleCfg, build_aux_heads
from mmrelvit.models.utils.build import build_grid_pool as _build_pool


@MODELS.register_module()
class AuxSSLTwoStageDetector(TwoStageDetector):
    """Two-stage detector (Mask R-CNN, Cascade Mask R-CNN, Faster R-CNN)
    trained jointly with the RelViT / DrLoc self-supervised heads.

    The heads are the classes used for pretraining
    (:class:`~mmrelvit.models.heads.PatchRelationHead`,
    :class:`~mmrelvit.models.heads.AbsPositionHead`, ``DrLocHead``): each
    gets a backbone output map, before the neck, and returns ``loss_<task>``
    terms (and loss-free metrics) that are added to the RPN and RoI-head
    losses. By default a head reads the backbone's last output, i.e. the
    final token grid: ViT-S/16's stride-16 grid after the final norm,
    Swin-T's stage-4 map.

    ``MaskRCNN`` and ``CascadeRCNN`` add nothing to
    :class:`~mmdet.models.detectors.TwoStageDetector`, so switching a config
    to joint training is ``type='AuxSSLTwoStageDetector'`` plus
    ``aux_heads``; every other argument is unchanged. ``predict`` and
    ``tensor`` modes are those of ``TwoStageDetector`` (the SSL heads are
    unused there), and a checkpoint of this model loads into the plain
    detector (the ``aux_heads.*`` keys are simply unexpected).

    Args:
        backbone, neck, rpn_head, roi_head, train_cfg, test_cfg,
        data_preprocessor, init_cfg: See
            :class:`mmdet.models.detectors.TwoStageDetector`.
        aux_heads (dict, optional): ``{name: head cfg or module}``; heads
            are built in mmpretrain's scope, so ``type='PatchRelationHead'``
            works as in pretraining configs. Each head provides
            ``loss(x, data_samples) -> dict`` and reads
            ``grids[head.in_index]`` (default -1; a sequence gives a tuple).
            A task is on iff its head is listed; its weight is its loss's
            ``loss_weight``. Defaults to None.
        grid_pool (dict | nn.Module, optional): Module applied to each grid
            a head reads: a registered type or any ``torch.nn`` class, e.g.
            ``dict(type='AdaptiveAvgPool2d', output_size=14)``, since
            detection images vary in size while a position head is built
            for the pretraining grid. Defaults to None.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: OptConfigType = None,
                 rpn_head: OptConfigType = None,
                 roi_head: OptConfigType = None,
                 aux_heads: Optional[Dict[str, ModuleCfg]] = None,
                 grid_pool: Optional[ModuleCfg] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None):
        super().__init__(
            backbone=backbone,
            neck=neck,
            rpn_head=rpn_head,
            roi_head=roi_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.aux_heads = build_aux_heads(aux_heads)
        self.grid_pool = _build_pool(grid_pool)
        # Backbone outputs of the running loss() call (see extract_feat).
        self._grid_sink: Optional[List] = None

    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone and neck, as :class:`TwoStageDetector`, with
        NCHW-contiguous maps; inside :meth:`loss` the backbone outputs are
        also kept for the SSL heads, so the parent's loss logic runs
        unchanged on a single backbone pass."""
        outs = self.backbone(batch_inputs)
        if self._grid_sink is not None:
            self._grid_sink.append(outs)
        feats = self.neck(outs) if self.with_neck else outs
        if isinstance(feats, Tensor):
            feats = (feats, )
        # mmcv's RoIAlign reads its input storage as NCHW: a channels-last
        # map (a permuted token grid, or convolutions fed one) would give
        # the RoI heads scrambled features.
        return tuple(f.contiguous() for f in feats)

    def loss(self, batch_inputs: Tensor, batch_data_samples: List) -> dict:
        """Detection losses plus every SSL head's terms.

        Args:
            batch_inputs (Tensor): Images of shape (B, 3, H, W).
            batch_data_samples (list[DetDataSample]): Samples with
                ``gt_instances``; heads may read e.g. ``patch_perm``.

        Returns:
            dict[str, Tensor]: ``loss_rpn_*``, ``s<i>.loss_*`` / ``loss_*``
            of the RoI head and ``loss_<task>`` plus metrics.
        """
        self._grid_sink = sink = []
        try:
            losses = super().loss(batch_inputs, batch_data_samples)
        finally:
            self._grid_sink = None
        if len(sink) != 1:
            raise RuntimeError(
                f'expected one backbone pass per loss(), saw {len(sink)}')
        return add_aux_head_losses(losses, self.aux_heads,
                                   self._grids(sink[0]), batch_data_samples,
                                   self.grid_pool)

    @staticmethod
    def _grids(outs: Union[Tensor, Sequence[Tensor]]) -> Tuple[Tensor, ...]:
        if isinstance(outs, Tensor):
            outs = (outs, )
        for i, out in enumerate(outs):
            if not (isinstance(out, Tensor) and out.dim() == 4):
                raise TypeError(
                    f'backbone output {i} is not a (B, C, h, w) map; use '
                    "out_type='featmap' for mmpretrain ViT / T2T-ViT.")
        return tuple(outs)
