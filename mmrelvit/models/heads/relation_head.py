import math
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils.accuracy import class_dim_accuracy
from ..utils.relation_targets import (batch_patch_perm, grid_hw,
                                      relation_targets)

# task -> (number of score maps K, default loss)
_TASKS = dict(
    relation=(9, dict(type='DenseCrossEntropyLoss', loss_weight=1.0)),
    distance=(1, dict(type='MSELoss', loss_weight=1.0)),
    angle=(1, dict(type='MSELoss', loss_weight=1.0)),
)


@MODELS.register_module()
class PatchRelationHead(BaseModule):
    """RelViT pairwise head: spatial relation, distance or angle of tokens.

    K score maps, one per relation class (K=9) or a single regression map
    (K=1): ``scores[:, k] = (z Wq_k)(z Wk_k)^T / sqrt(dh)`` with
    ``dh = C // K``, bias-free projections fused into one linear layer each,
    no value projection and no softmax (the raw scores are the logits or the
    regressed values). Linear layers keep PyTorch's default init, as in the
    reference, where the heads sit outside the backbone's trunc-normal init.

    Targets (``relation_targets``) follow the content: with a pipeline patch
    permutation in the data samples' ``patch_perm``, the target of slots
    (a, b) is the relation of original patches (perm[a], perm[b]).

    Args:
        in_channels (int): Token channels C.
        task (str): ``'relation'`` (9-way cross-entropy), ``'distance'`` or
            ``'angle'`` (MSE regression). Defaults to ``'relation'``.
        loss (dict, optional): Loss config with ``loss_weight``. Defaults to
            ``DenseCrossEntropyLoss`` (the values of mmpretrain's
            ``CrossEntropyLoss``, faster on the (B, 9, N, N) scores) for
            relation and ``MSELoss`` otherwise.
        in_index (int | Sequence[int]): Backbone output read by the wrapper.
            Defaults to -1.
        init_cfg (dict, optional): Initialization config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 task: str = 'relation',
                 loss: Optional[dict] = None,
                 in_index: Union[int, Sequence[int]] = -1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if task not in _TASKS:
            raise ValueError(f'Unknown task {task!r}, choose from '
                             f'{sorted(_TASKS)}')
        self.task = task
        self.num_maps, default_loss = _TASKS[task]
        if not isinstance(in_channels, int) or in_channels < self.num_maps:
            raise ValueError(
                f'PatchRelationHead(task={task!r}): in_channels must be an '
                f'int >= {self.num_maps} (one query/key dimension per score '
                f'map at least), got {in_channels!r}')
        self.head_dims = in_channels // self.num_maps
        self.in_channels = in_channels
        self.in_index = in_index
        inner = self.num_maps * self.head_dims
        self.query = nn.Linear(in_channels, inner, bias=False)
        self.key = nn.Linear(in_channels, inner, bias=False)
        loss = dict(loss if loss is not None else default_loss)
        loss.setdefault('_scope_', 'mmpretrain')
        self.loss_module = MODELS.build(loss)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pairwise scores.

        Args:
            x (torch.Tensor): Token grid of shape (B, C, h, w).

        Returns:
            torch.Tensor: Scores of shape (B, K, N, N), N = h * w.
        """
        grid_hw(x)
        if x.shape[1] != self.in_channels:
            raise ValueError(f'PatchRelationHead: in_channels is '
                             f'{self.in_channels}, but the grid has shape '
                             f'{tuple(x.shape)} (B, C, h, w)')
        tokens = x.flatten(2).transpose(1, 2)  # (B, N, C), row-major
        B, N, _ = tokens.shape
        # scaling q (B, N, C) is K * N / C times cheaper than the scores
        q = self.query(tokens) * (1 / math.sqrt(self.head_dims))
        q = q.view(B, N, self.num_maps, self.head_dims)
        k = self.key(tokens).view(B, N, self.num_maps, self.head_dims)
        return torch.einsum('bikd,bjkd->bkij', q, k)

    def loss(self,
             x: torch.Tensor,
             data_samples: Optional[List] = None) -> dict:
        """Loss (and accuracy for relations) of a batch.

        Args:
            x (torch.Tensor): Token grid of shape (B, C, h, w).
            data_samples (list, optional): Data samples, read for
                ``patch_perm``.

        Returns:
            dict[str, torch.Tensor]: ``loss_<task>`` and, for relations,
            ``acc_relation``.
        """
        scores = self.forward(x)
        B, _, N, _ = scores.shape
        perm = batch_patch_perm(data_samples, N, x.device)
        target = relation_targets(grid_hw(x), perm, x.device)[self.task]
        target = target.expand(B, N, N)

        losses = dict()
        if self.task == 'relation':
            losses['loss_relation'] = self.loss_module(scores, target)
            losses['acc_relation'] = class_dim_accuracy(scores, target)
        else:
            losses[f'loss_{self.task}'] = self.loss_module(
                scores[:, 0], target)
        return losses
