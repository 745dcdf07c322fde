from typing import Optional, Tuple

import torch
import torch.nn as nn


class LocalizationMLP(nn.Module):
    """The localization MLP ``f`` of DrLoc for one grid.

    ``Linear(2C, hid) -> ReLU -> Linear(hid, hid) -> ReLU`` followed by

    - regression losses: ``Linear(hid, 2)`` (no output activation);
    - classification losses: two unshared branches ``Linear(hid, n_row)``
      and ``Linear(hid, n_col)`` giving per-axis logits. With
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
        if branch_style not in ('paper', 'code'):
            raise ValueError("branch_style must be 'paper' or 'code', "
                             f'got {branch_style!r}')
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
