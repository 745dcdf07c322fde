from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModule, ModuleList
from mmpretrain.registry import MODELS

from ..losses.drloc_loss import legacy_loss_cfg
from ..utils.drloc_pairs import gather_cells, sample_pairs
from ..utils.drloc_targets import check_grid_fits, per_grid_classes
from .drloc_mlp import LocalizationMLP

GridSize = Union[int, Tuple[int, int]]
# one GridSize, or one per grid of a multi-grid head
GridSizes = Union[GridSize, Sequence[GridSize]]


@MODELS.register_module()
class DrLocHead(BaseModule):
    """Dense relative localization head (DrLoc).

    `Efficient Training of Visual Transformers with Small Datasets
    <https://arxiv.org/abs/2106.03746>`_ (Liu et al., NeurIPS 2021). For each
    image ``m`` ordered pairs of grid cells are drawn uniformly with
    replacement (a cell may be paired with itself), the two embeddings are
    concatenated and an MLP predicts their offset along rows (u) and
    columns (v). The objective is the ``loss`` module: ``DrLocL1Loss``
    (Eq. 2 / 3), ``DrLocCELoss`` (Eq. 5) or ``DrLocRegLoss`` (Eq. 6); it
    builds the targets from the pairs and decides whether the MLP regresses
    two floats or ends in two offset-class branches.

    Several grids (``in_index`` a sequence): one MLP per grid, the losses
    summed with the same lambda, like the code's per-stage
    ``--use_multiscale`` (the paper's L^all uses every block, which is this
    head applied to every block's grid). Paper vs. authors' code:
    ``configs/drloc/README.md``.

    Pairs come from the global RNG of the input's device: under DDP set
    ``randomness=dict(diff_rank_seed=True)`` to draw different pairs on
    each rank, as the authors' ``SEED + rank`` seeding does.

    Legacy form: the pre-split keywords ``mode``, ``target_norm``,
    ``reduction``, ``use_abs``, ``reg_alpha``, ``reg_log_term`` and
    ``loss_weight`` are accepted instead of ``loss`` and translated by
    :func:`~mmrelvit.models.losses.legacy_loss_cfg`.

    Args:
        in_channels (int | Sequence[int]): Channels C of each input grid.
        in_index (int | Sequence[int]): Which backbone grid(s) the wrapper
            feeds to this head. A sequence makes the head multi-grid and
            needs one ``in_channels`` entry per grid. Defaults to -1.
        num_pairs (int): Pairs m per image. Defaults to 64.
        hidden_channels (int): Width of the two hidden layers.
            Defaults to 512.
        loss (dict, optional): The objective, with ``loss_weight`` as
            lambda. Defaults to ``dict(type='DrLocL1Loss')``, the paper's
            L_drloc with lambda 1.
        grid_size (int | tuple | Sequence, optional): Largest grid
            ``k`` or ``(H, W)`` of the input; sizes the branches of a
            classification loss: ``2k + 1`` signed classes (the paper) or
            ``k`` unsigned ones (the loss' ``use_abs``). For several grids:
            an int shared by all, or one entry per grid. A larger grid
            raises at run time.
        num_offset_classes (int | tuple | Sequence, optional): The class
            count of each branch instead of ``grid_size``: the code's
            ``out_dim`` with ``use_abs`` (14 for ViT / T2T / CvT / ResNet),
            ``2 * out_dim - 1`` without; same nesting as ``grid_size``.
            Odd when signed.
        branch_style (str): ``'paper'`` splits the last layer into the two
            class branches; ``'code'`` adds one more linear layer before
            them, as the authors' code. Defaults to ``'paper'``.
        init_cfg (dict | list[dict], optional): Defaults to trunc-normal
            (std 0.02) weights and zero biases, what Swin/T2T applied to the
            MLP; the code's CvT/ViT/ResNet kept PyTorch's default init
            (``init_cfg=None``).
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 in_index: Union[int, Sequence[int]] = -1,
                 num_pairs: int = 64,
                 hidden_channels: int = 512,
                 loss: Optional[dict] = None,
                 grid_size: Optional[GridSizes] = None,
                 num_offset_classes: Optional[GridSizes] = None,
                 branch_style: str = 'paper',
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02, bias=0.),
                 **legacy):
        super().__init__(init_cfg=init_cfg)
        if legacy and loss is not None:
            raise ValueError(f'DrLocHead takes loss=dict(...) or the legacy '
                             f'keywords {sorted(legacy)}, not both.')
        if num_pairs < 1:
            raise ValueError(f'num_pairs must be positive, got {num_pairs}')
        loss = dict(loss or legacy_loss_cfg(**legacy))
        loss.setdefault('_scope_', 'mmpretrain')
        self.loss_module = MODELS.build(loss)
        # The configured lambda; the lambda hook scales this, never
        # loss_weight itself, so a schedule cannot drift.
        self.base_loss_weight = self.loss_module.loss_weight

        self.multi_grid = not isinstance(in_index, int)
        if self.multi_grid:
            in_index = list(in_index)
            if isinstance(in_channels, int) or \
                    len(in_channels) != len(in_index):
                raise ValueError('A multi-grid DrLocHead needs one '
                                 'in_channels entry per in_index entry.')
            in_channels = list(in_channels)
        elif not isinstance(in_channels, int):
            raise TypeError('in_channels must be an int when in_index is.')
        else:
            in_channels = [in_channels]
        self.in_index = in_index
        self.in_channels = in_channels
        self.num_pairs = num_pairs
        self.num_offset_classes = [None] * len(in_channels)
        if self.loss_module.classifies:
            self.num_offset_classes = per_grid_classes(
                grid_size, num_offset_classes, self.loss_module.use_abs,
                len(in_channels) if self.multi_grid else None)
        self.mlps = ModuleList()
        for i, channels in enumerate(in_channels):
            self.mlps.append(
                LocalizationMLP(channels, hidden_channels,
                                self.num_offset_classes[i], branch_style))

    @property
    def loss_weight(self) -> float:
        """lambda, the loss module's ``loss_weight`` (set by the hook)."""
        return self.loss_module.loss_weight

    @loss_weight.setter
    def loss_weight(self, value: float) -> None:
        self.loss_module.loss_weight = value

    @property
    def reduction(self) -> str:
        """The loss module's ``reduction``, for pre-split callers."""
        return self.loss_module.reduction

    @reduction.setter
    def reduction(self, value: str) -> None:
        self.loss_module.reduction = value

    def sample_pairs(
        self,
        batch_size: int,
        grid_hw: Tuple[int, int],
        device: Union[str, torch.device] = 'cpu',
        generator: Optional[torch.Generator] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``num_pairs`` pairs per image: endpoints ``(B, m, 2)`` each, see
        :func:`~mmrelvit.models.utils.drloc_pairs.sample_pairs`."""
        return sample_pairs(batch_size, grid_hw, self.num_pairs, device,
                            generator)

    gather = staticmethod(gather_cells)

    def get_targets(self,
                    pos1: torch.Tensor,
                    pos2: torch.Tensor,
                    grid_hw: Tuple[int, int],
                    grid_id: int = 0) -> torch.Tensor:
        """The loss module's targets ``(B, m, 2)`` (float offsets or int64
        offset classes) of the pairs ``pos1``, ``pos2`` ``(B, m, 2)`` on a
        ``grid_hw`` grid, the ``grid_id``-th of the head."""
        return self.loss_module.get_targets(pos1, pos2, grid_hw,
                                            self.num_offset_classes[grid_id])

    def forward(self,
                x: torch.Tensor,
                pos1: torch.Tensor,
                pos2: torch.Tensor,
                grid_id: int = 0):
        """Predict the offsets of given pairs of cells of one grid.

        Args:
            x (Tensor): Grid ``(B, C, H, W)``.
            pos1, pos2 (Tensor): Endpoints ``(B, m, 2)`` as ``(row, col)``;
                the first endpoint's embedding comes first in the MLP input.
            grid_id (int): Which of the head's grids. Defaults to 0.

        Returns:
            Tensor | tuple[Tensor, Tensor]: ``(B, m, 2)`` offsets, or row
            and column logits ``(B, m, n_u)``, ``(B, m, n_v)`` over the
            offset classes.
        """
        pairs = torch.cat([self.gather(x, pos1), self.gather(x, pos2)], -1)
        return self.mlps[grid_id](pairs)

    def loss_by_pairs(self,
                      x: torch.Tensor,
                      pos1: torch.Tensor,
                      pos2: torch.Tensor,
                      grid_id: int = 0) -> torch.Tensor:
        """Unweighted DrLoc loss of one grid for explicit pairs.

        Args:
            x (Tensor): Grid ``(B, C, H, W)``.
            pos1, pos2 (Tensor): Endpoints ``(B, m, 2)`` as ``(row, col)``.
            grid_id (int): Which of the head's grids. Defaults to 0.

        Returns:
            Tensor: Scalar loss (before ``loss_weight``).
        """
        grid_hw = tuple(x.shape[-2:])
        classes = self.num_offset_classes[grid_id]
        if classes is not None:
            # before the MLP: out-of-range classes would fail deep in it
            check_grid_fits(grid_hw, classes, self.loss_module.use_abs,
                            grid_id)
        pred = self(x, pos1, pos2, grid_id)
        target = self.get_targets(pos1, pos2, grid_hw, grid_id)
        return self.loss_module.unweighted(pred, target)

    def loss(self,
             x: Union[torch.Tensor, Sequence[torch.Tensor]],
             data_samples: Optional[list] = None,
             **kwargs) -> Dict[str, torch.Tensor]:
        """Sample pairs on each grid and compute the weighted DrLoc loss.

        Args:
            x (Tensor | Sequence[Tensor]): The grid ``(B, C, H, W)``, or one
                grid per ``in_index`` entry for a multi-grid head.
            data_samples (list, optional): Unused; DrLoc is self-supervised.

        Returns:
            dict[str, Tensor]: ``loss_drloc`` (``loss_weight`` times the sum
            over grids); a multi-grid head also logs each grid's unweighted
            loss as ``drloc_s{i}``.
        """
        if self.multi_grid:
            if isinstance(x, torch.Tensor) or len(x) != len(self.mlps):
                raise ValueError(
                    f'This DrLocHead expects {len(self.mlps)} grids '
                    f'(in_index={self.in_index}).')
            grids = list(x)
        else:
            if not isinstance(x, torch.Tensor):
                raise TypeError('A single-grid DrLocHead takes one '
                                '(B, C, H, W) tensor.')
            grids = [x]

        losses, total = {}, 0.
        for i, grid in enumerate(grids):
            pos1, pos2 = self.sample_pairs(
                grid.size(0), tuple(grid.shape[-2:]), device=grid.device)
            loss = self.loss_by_pairs(grid, pos1, pos2, grid_id=i)
            total = total + loss
            if self.multi_grid:
                losses[f'drloc_s{i}'] = loss.detach()
        # lambda applied once to the sum over grids
        losses['loss_drloc'] = self.loss_weight * total
        return losses

    def extra_repr(self) -> str:
        return (f'num_pairs={self.num_pairs}, '
                f'num_offset_classes={self.num_offset_classes}')
