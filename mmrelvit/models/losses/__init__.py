# Each module registers its components on import.
from .dense_ce_loss import DenseCrossEntropyLoss, class_dim_cross_entropy
from .mse_loss import MSELoss

__all__ = ['DenseCrossEntropyLoss', 'MSELoss', 'class_dim_cross_entropy']
