# Each module registers its components on import.
from .mse_loss import MSELoss
