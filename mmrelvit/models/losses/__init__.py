# Each module registers its components on import.
from .dense_ce_loss import DenseCrossEntropyLoss, class_dim_cross_entropy
from .drloc_ce_loss import DrLocCELoss
from .drloc_l1_loss import DrLocL1Loss
from .drloc_loss import DrLocLoss, OffsetClassLoss, legacy_loss_cfg
from .drloc_reg_loss import DrLocRegLoss
from .mse_loss import MSELoss

__all__ = [
    'DenseCrossEntropyLoss', 'DrLocCELoss', 'DrLocL1Loss', 'DrLocLoss',
    'DrLocRegLoss', 'MSELoss', 'OffsetClassLoss', 'class_dim_cross_entropy',
    'legacy_loss_cfg'
]
