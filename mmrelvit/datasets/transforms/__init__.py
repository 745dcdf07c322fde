from .mega_patches import MegaPatches
from .patch_augment import PatchAugment
from .patch_permute import PatchPermute
