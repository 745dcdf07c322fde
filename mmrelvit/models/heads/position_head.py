from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils.accuracy import class_dim_accuracy
from ..utils.relation_targets import batch_patch_perm, grid_hw


@MODELS.register_module()
class AbsPositionHead(BaseModule):
    """RelViT absolute-position head: N-way classification of every token.

    A linear layer (with bias, PyTorch default init) maps each token to the
    logits of its original grid index. The target of slot ``a`` is
    ``patch_perm[a]`` when the pipeline permuted the patches, ``a``
    otherwise.

    Args:
        in_channels (int): Token channels C.
        num_patches (int): Grid size N = h * w (the number of classes);
            ``side_megapatches ** 2`` with mega-patches.
        loss (dict): Loss config with ``loss_weight``. Defaults to
            ``dict(type='CrossEntropyLoss', loss_weight=1.0)``.
        in_index (int | Sequence[int]): Backbone output read by the wrapper.
            Defaults to -1.
        init_cfg (dict, optional): Initialization config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 num_patches: int,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 in_index: Union[int, Sequence[int]] = -1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_patches = num_patches
        self.in_index = in_index
        self.fc = nn.Linear(in_channels, num_patches)
        loss = dict(loss)
        loss.setdefault('_scope_', 'mmpretrain')
        self.loss_module = MODELS.build(loss)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Position logits.

        Args:
            x (torch.Tensor): Token grid of shape (B, C, h, w), h * w = N.

        Returns:
            torch.Tensor: Logits of shape (B, N_classes, N_tokens), the
            class dimension second as cross-entropy expects.
        """
        h, w = grid_hw(x)
        if h * w != self.num_patches:
            raise ValueError(f'AbsPositionHead was built for '
                             f'{self.num_patches} patches, got a {h}x{w} '
                             'grid.')
        if x.shape[1] != self.in_channels:
            raise ValueError(f'AbsPositionHead: in_channels is '
                             f'{self.in_channels}, but the grid has shape '
                             f'{tuple(x.shape)} (B, C, h, w)')
        tokens = x.flatten(2).transpose(1, 2)  # (B, N, C), row-major
        return self.fc(tokens).transpose(1, 2)

    def loss(self,
             x: torch.Tensor,
             data_samples: Optional[List] = None) -> dict:
        """Loss and accuracy of a batch.

        Args:
            x (torch.Tensor): Token grid of shape (B, C, h, w).
            data_samples (list, optional): Data samples, read for
                ``patch_perm``.

        Returns:
            dict[str, torch.Tensor]: ``loss_position`` and ``acc_position``.
        """
        logits = self.forward(x)
        B, N, _ = logits.shape
        target = batch_patch_perm(data_samples, N, x.device)
        if target is None:
            target = torch.arange(N, device=x.device).expand(B, N)
        losses = dict(loss_position=self.loss_module(logits, target))
        losses['acc_position'] = class_dim_accuracy(logits, target)
        return losses
