from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule, ModuleList
from mmpretrain.registry import MODELS

from ..utils.drloc_targets import (TARGET_NORMS, check_offset_classes,
                                   default_offset_classes, max_offsets,
                                   offset_class_targets, regression_targets)

GridSize = Union[int, Tuple[int, int]]
# one GridSize, or one per grid of a multi-grid head
GridSizes = Union[GridSize, Sequence[GridSize]]

_MODES = ('l1', 'l1_signed', 'ce', 'reg')
_REDUCTIONS = ('mean', 'paper')
_BRANCH_STYLES = ('paper', 'code')
_REG_LOG_TERMS = ('sigma', 'var')
# Keeps log(var) finite when a branch collapses onto one class (as in the
# authors' code).
_VAR_EPS = 1e-8


class LocalizationMLP(nn.Module):
    """The localization MLP ``f`` of DrLoc for one grid.

    ``Linear(2C, hid) -> ReLU -> Linear(hid, hid) -> ReLU`` followed by

    - regression modes: ``Linear(hid, 2)`` (no output activation);
    - classification modes: two unshared branches ``Linear(hid, n_row)`` and
      ``Linear(hid, n_col)`` giving per-axis logits. With
      ``branch_style='code'`` an extra ``Linear(hid, hid)`` (no activation)
      precedes the branches, as in the authors' code.

    Args:
        in_channels (int): Channels C of one token embedding.
        hidden_channels (int): Hidden width.
        num_classes (tuple[int, int], optional): Row/column class counts;
            None for the 2-output regression MLP.
        branch_style (str): ``'paper'`` or ``'code'``.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int,
                 num_classes: Optional[Tuple[int, int]] = None,
                 branch_style: str = 'paper'):
        super().__init__()
        layers = [
            nn.Linear(2 * in_channels, hidden_channels),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, hidden_channels),
            nn.ReLU(inplace=True),
        ]
        if num_classes is None:
            layers.append(nn.Linear(hidden_channels, 2))
            self.branches = None
        else:
            if branch_style == 'code':
                layers.append(nn.Linear(hidden_channels, hidden_channels))
            self.branches = nn.ModuleList(
                nn.Linear(hidden_channels, n) for n in num_classes)
        self.trunk = nn.Sequential(*layers)

    def forward(self, pairs: torch.Tensor):
        """Map ``(B, m, 2C)`` pair embeddings to predictions.

        Returns:
            Tensor | tuple[Tensor, Tensor]: ``(B, m, 2)`` offsets, or the
            row and column logits ``(B, m, n_row)``, ``(B, m, n_col)``.
        """
        x = self.trunk(pairs)
        if self.branches is None:
            return x
        return tuple(branch(x) for branch in self.branches)


@MODELS.register_module()
class DrLocHead(BaseModule):
    """Dense relative localization head (DrLoc).

    `Efficient Training of Visual Transformers with Small Datasets
    <https://arxiv.org/abs/2106.03746>`_ (Liu et al., NeurIPS 2021). For each
    image ``m`` ordered pairs of grid cells are drawn uniformly with
    replacement (a cell may be paired with itself), the two embeddings are
    concatenated and an MLP predicts their offset along rows (u) and
    columns (v).

    Variants (``mode``), with ``(du, dv) = p1 - p2`` the signed offset in
    cells and ``k_u = H``, ``k_v = W`` the grid size of each axis:

    - ``'l1'``: L_drloc (Eq. 2), L1 on ``|du| / k_u, |dv| / k_v``.
    - ``'l1_signed'``: L*_drloc (Eq. 3), L1 on ``du / k_u, dv / k_v``. The
      authors' code shifts the offset by ``k - 1`` instead of keeping the
      sign; for an L1 regression that only moves the last bias, so we keep
      the paper's signed target.
    - ``'ce'``: L^ce_drloc (Eq. 5), per-axis cross-entropy over offset
      classes, two branches.
    - ``'reg'``: L^reg_drloc (Eq. 6), the Gaussian-prior regression on the
      class posterior: ``mu = sum_c p[c] c``,
      ``var = sum_c p[c] (c - mu)^2 + 1e-8`` and
      ``(t - mu)^2 / var + alpha * log(sigma)`` per axis, ``t`` the target
      class. The code (``cbr``) writes ``alpha * log(var)``; choose it with
      ``reg_log_term='var'``.

    Offset classes of ``'ce'``/``'reg'`` (``mmrelvit.models.utils.
    drloc_targets``), per axis:

    - signed (``use_abs=False``): ``n = 2r + 1`` classes for ``-r..r``,
      class ``d + r``. ``grid_size=k`` gives the paper's ``2k + 1``;
      ``num_offset_classes=2H - 1`` the authors' Swin layout without
      ``--use_abs``.
    - unsigned (``use_abs=True``, the released ``train.sh``): ``n`` classes
      for ``|d|`` in ``0..n-1``. ``grid_size=k`` gives ``k`` classes (Swin:
      ``img_size // 32 = 7``); ``num_offset_classes=14`` is the code's
      hard-coded ``out_dim`` of ViT / T2T / CvT / ResNet.

    A grid whose offsets do not fit the classes raises at run time.

    Paper vs. authors' code (``configs/drloc/README.md``). Defaults follow
    the paper where it is explicit:

    - ``target_norm``: ``'paper'`` divides offsets by k (Eq. 1/3, App. A),
      ``'none'`` keeps raw integer offsets (released ``--use_abs`` runs; the
      lambdas 0.1/0.5 were tuned with it), ``'unit'`` divides by ``k - 1``
      (the code's unused ``normalize=True``). Only the ``l1*`` modes use it.
      The scale moves the regression optimum, so ``'paper'`` and ``'none'``
      train differently.
    - ``reduction``: ``'mean'`` averages over images and pairs (and, for
      the ``l1*`` modes, over the two coordinates; ``ce``/``reg`` sum the
      two axes). It is both the paper's App. A pseudo-code
      (``L1Loss(predxy, deltaxy)``) and the released code, and keeps lambda
      independent of the per-GPU batch size. ``'paper'`` is Eq. 2/5/6
      literally: sum over images, mean over pairs, sum over the two axes,
      i.e. ``2 * B`` times ``'mean'`` for ``l1``; lambda must then shrink
      with the batch size.
    - Classification branches: the paper splits the last layer
      (``branch_style='paper'``); the code adds one more linear layer.
    - Several grids (``in_index`` a sequence): one MLP per grid and the
      losses are summed with the same lambda, like the code's per-stage
      ``--use_multiscale`` (the paper's L^all uses every block, which is
      this head applied to every block's grid).

    Pairs are drawn with ``torch.randint`` from the global RNG on the
    input's device (rows and columns separately, so non-square grids work).
    Under DDP set ``randomness=dict(diff_rank_seed=True)`` to draw different
    pairs on each rank as the authors' ``SEED + rank`` seeding does.

    Args:
        in_channels (int | Sequence[int]): Channels C of each input grid.
        in_index (int | Sequence[int]): Which backbone grid(s) the wrapper
            feeds to this head. A sequence makes the head multi-grid and
            needs one ``in_channels`` entry per grid. Defaults to -1.
        num_pairs (int): Pairs m per image. Defaults to 64.
        hidden_channels (int): Width of the two hidden layers.
            Defaults to 512.
        mode (str): ``'l1'``, ``'l1_signed'``, ``'ce'`` or ``'reg'``.
            Defaults to ``'l1'``.
        target_norm (str): ``'paper'``, ``'none'`` or ``'unit'``.
            Defaults to ``'paper'``.
        reduction (str): ``'mean'`` or ``'paper'``. Defaults to ``'mean'``.
        grid_size (int | tuple | Sequence, optional): Largest grid
            ``k`` or ``(H, W)`` of the input; sizes the ``'ce'``/``'reg'``
            branches (``2k + 1`` signed or ``k`` unsigned classes). For
            several grids: an int shared by all, or one entry per grid.
        num_offset_classes (int | tuple | Sequence, optional): The class
            count of each branch instead of ``grid_size`` (the code's
            ``out_dim`` with ``use_abs``, ``2 * out_dim - 1`` without);
            same nesting as ``grid_size``. Odd when signed.
        use_abs (bool): ``'ce'``/``'reg'`` classify ``|d|`` (the released
            ``--use_abs``). ``'l1'`` is unsigned anyway; ``'l1_signed'``
            refuses it. Defaults to False.
        branch_style (str): ``'paper'`` or ``'code'``. Defaults to
            ``'paper'``.
        reg_alpha (float): alpha of L^reg. Defaults to 0.001.
        reg_log_term (str): ``'sigma'`` (paper) or ``'var'`` (code).
            Defaults to ``'sigma'``.
        loss_weight (float): lambda. :class:`DrLocLambdaHook` rescales
            ``loss_weight`` each epoch from ``base_loss_weight``.
            Defaults to 1.0.
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
                 mode: str = 'l1',
                 target_norm: str = 'paper',
                 reduction: str = 'mean',
                 grid_size: Optional[GridSizes] = None,
                 num_offset_classes: Optional[GridSizes] = None,
                 use_abs: bool = False,
                 branch_style: str = 'paper',
                 reg_alpha: float = 0.001,
                 reg_log_term: str = 'sigma',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02, bias=0.)):
        super().__init__(init_cfg=init_cfg)
        for name, value, allowed in [
            ('mode', mode, _MODES), ('target_norm', target_norm, TARGET_NORMS),
            ('reduction', reduction, _REDUCTIONS),
            ('branch_style', branch_style, _BRANCH_STYLES),
            ('reg_log_term', reg_log_term, _REG_LOG_TERMS)
        ]:
            if value not in allowed:
                raise ValueError(
                    f'{name} must be one of {allowed}, got {value!r}')
        if num_pairs < 1:
            raise ValueError(f'num_pairs must be positive, got {num_pairs}')

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
        self.mode = mode
        self.target_norm = target_norm
        self.reduction = reduction
        self.reg_alpha = reg_alpha
        self.reg_log_term = reg_log_term
        self.loss_weight = loss_weight
        # The configured lambda; the lambda hook scales this, never
        # loss_weight itself, so a schedule cannot drift.
        self.base_loss_weight = loss_weight

        if use_abs and mode == 'l1_signed':
            raise ValueError("use_abs=True contradicts mode='l1_signed'; "
                             "the unsigned L1 variant is mode='l1'.")
        self.use_abs = use_abs or mode == 'l1'
        self.num_offset_classes = self._parse_offset_classes(
            grid_size, num_offset_classes, len(in_channels))
        self.mlps = ModuleList()
        for i, channels in enumerate(in_channels):
            self.mlps.append(
                LocalizationMLP(channels, hidden_channels,
                                self.num_offset_classes[i], branch_style))

    @property
    def is_classification(self) -> bool:
        return self.mode in ('ce', 'reg')

    def _per_grid(self, value, name: str, num_grids: int) -> list:
        """``(rows, cols)`` of an int / pair / per-grid list setting."""
        if self.multi_grid:
            if isinstance(value, int):
                value = [value] * num_grids
            if len(value) != num_grids:
                raise ValueError(f'A multi-grid ce/reg DrLocHead needs an '
                                 f'int or one {name} entry per in_index '
                                 f'entry, got {name}={value!r}.')
            values = list(value)
        else:
            values = [value]
        pairs = [(v, v) if isinstance(v, int) else tuple(v) for v in values]
        if any(len(v) != 2 for v in pairs):
            raise ValueError(f'{name} takes an int or (rows, cols) per grid, '
                             f'got {name}={value!r}.')
        return pairs

    def _parse_offset_classes(self, grid_size, num_offset_classes,
                              num_grids: int) -> list:
        if not self.is_classification:
            return [None] * num_grids
        if (grid_size is None) == (num_offset_classes is None):
            raise ValueError(
                f'mode={self.mode!r} needs exactly one of grid_size or '
                'num_offset_classes to size the offset classifiers, got '
                f'grid_size={grid_size!r}, '
                f'num_offset_classes={num_offset_classes!r}.')
        if num_offset_classes is None:
            classes = [
                default_offset_classes(k, self.use_abs)
                for k in self._per_grid(grid_size, 'grid_size', num_grids)
            ]
        else:
            classes = self._per_grid(num_offset_classes, 'num_offset_classes',
                                     num_grids)
        for n in classes:
            check_offset_classes(n, self.use_abs)
        return classes

    # ---------------------------------------------------------------------
    # Pair sampling, gathering and targets: pure functions of the grid size
    # and the sampled positions, exposed so that they can be inspected.
    # ---------------------------------------------------------------------
    def sample_pairs(
        self,
        batch_size: int,
        grid_hw: Tuple[int, int],
        device: Union[str, torch.device] = 'cpu',
        generator: Optional[torch.Generator] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Draw ``num_pairs`` ordered pairs of cells per image.

        Every coordinate is iid uniform (with replacement), rows on
        ``[0, H)`` and columns on ``[0, W)``.

        Returns:
            tuple[Tensor, Tensor]: First and second endpoints, each
            ``(B, m, 2)`` int64 ``(row, col)``.
        """
        H, W = grid_hw
        size = (batch_size, self.num_pairs)

        def draw(high):
            return torch.randint(
                high, size, device=device, generator=generator)

        pos1 = torch.stack([draw(H), draw(W)], dim=-1)
        pos2 = torch.stack([draw(H), draw(W)], dim=-1)
        return pos1, pos2

    @staticmethod
    def gather(x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """Pick the embeddings at ``pos`` ``(B, m, 2)`` from ``x``.

        Args:
            x (Tensor): Grid ``(B, C, H, W)``.
            pos (Tensor): ``(row, col)`` positions ``(B, m, 2)``.

        Returns:
            Tensor: ``(B, m, C)``.
        """
        B, C, H, W = x.shape
        index = pos[..., 0] * W + pos[..., 1]  # (B, m)
        tokens = x.flatten(2).transpose(1, 2)  # (B, H*W, C)
        return tokens.gather(1, index.unsqueeze(-1).expand(-1, -1, C))

    def get_targets(self,
                    pos1: torch.Tensor,
                    pos2: torch.Tensor,
                    grid_hw: Tuple[int, int],
                    grid_id: int = 0) -> torch.Tensor:
        """Targets of the current ``mode`` for given pairs.

        Args:
            pos1, pos2 (Tensor): Endpoints ``(B, m, 2)`` as ``(row, col)``.
            grid_hw (tuple[int, int]): Grid size ``(H, W)``.
            grid_id (int): Which of the head's grids (its MLP and
                offset classes). Defaults to 0.

        Returns:
            Tensor: ``(B, m, 2)``: float offsets for the ``l1*`` modes, or
            int64 offset classes for ``ce``/``reg`` (``|d|`` with
            ``use_abs``, else ``d + r`` for the ``2r + 1`` classes of that
            axis).
        """
        if self.is_classification:
            return offset_class_targets(pos1, pos2,
                                        self.num_offset_classes[grid_id],
                                        self.use_abs)
        return regression_targets(pos1, pos2, grid_hw,
                                  self.mode == 'l1_signed', self.target_norm)

    def _check_grid(self, grid_hw: Tuple[int, int], grid_id: int) -> None:
        """Refuse a grid with offsets that have no class."""
        classes = self.num_offset_classes[grid_id]
        reach = max_offsets(classes, self.use_abs)
        if any(size - 1 > r for size, r in zip(grid_hw, reach)):
            kind = 'unsigned' if self.use_abs else 'signed'
            raise ValueError(
                f'Grid {tuple(grid_hw)} of DrLoc grid {grid_id} has offsets '
                f'up to {tuple(s - 1 for s in grid_hw)}, which exceeds the '
                f'{kind} offset classes {classes} (largest |d| {reach}); '
                'raise grid_size or num_offset_classes.')

    # ---------------------------------------------------------------------
    # Losses
    # ---------------------------------------------------------------------
    def _reduce(self, per_pair: torch.Tensor, num_coords: int) -> torch.Tensor:
        """Reduce ``(B, m)`` per-pair losses (already summed over axes)."""
        if self.reduction == 'paper':
            # Eq. 2: sum over images of the expectation over pairs.
            return per_pair.mean(dim=1).sum()
        # Mean over images, pairs and the ``num_coords`` summed entries.
        return per_pair.mean() / num_coords

    def _classification_loss(self, logits: torch.Tensor,
                             target: torch.Tensor) -> torch.Tensor:
        """Per-pair loss of one axis: ``(B, m, n)``, ``(B, m)`` -> ``(B, m)``.
        """
        if self.mode == 'ce':
            return F.cross_entropy(
                logits.flatten(0, 1), target.flatten(),
                reduction='none').view_as(target)
        # Variance-aware regression on the class posterior (Eq. 6). Class
        # indices stand for the offsets (shifted by r when signed); the
        # shift moves mu and the target together, so the loss is the one on
        # {-r..r}. The class count is not neutral: extra classes widen the
        # posterior's support and change mu and var.
        prob = logits.softmax(dim=-1)
        classes = torch.arange(
            logits.size(-1), device=logits.device, dtype=prob.dtype)
        mu = (prob * classes).sum(dim=-1)
        var = (prob * (classes - mu.unsqueeze(-1))**2).sum(dim=-1) + _VAR_EPS
        log_var = var.log()
        log_term = log_var if self.reg_log_term == 'var' else 0.5 * log_var
        return (target - mu)**2 / var + self.reg_alpha * log_term

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
        if self.is_classification:
            self._check_grid(grid_hw, grid_id)
        pred = self(x, pos1, pos2, grid_id)
        target = self.get_targets(pos1, pos2, grid_hw, grid_id)
        if not self.is_classification:
            per_pair = (pred - target).abs().sum(dim=-1)
            return self._reduce(per_pair, num_coords=2)
        per_pair = sum(
            self._classification_loss(logits, target[..., axis])
            for axis, logits in enumerate(pred))
        return self._reduce(per_pair, num_coords=1)

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
        losses['loss_drloc'] = self.loss_weight * total
        return losses

    def extra_repr(self) -> str:
        return (f'mode={self.mode}, num_pairs={self.num_pairs}, '
                f'target_norm={self.target_norm}, use_abs={self.use_abs}, '
                f'num_offset_classes={self.num_offset_classes}, '
                f'reduction={self.reduction}, '
                f'loss_weight={self.loss_weight}')
