# Each module registers its components on import.
from .relation_targets import batch_patch_perm, relation_targets
