# Each module registers its components on import.
from .accuracy import class_dim_accuracy
from .aux_ssl import add_aux_head_losses
from .build import (ModuleCfg, build_aux_heads, build_grid_pool,
                    build_pretrain_module)
from .relation_targets import batch_patch_perm, relation_targets
