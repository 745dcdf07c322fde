# Each module registers its components on import.
from .cvt import CvT
from .token_t2t import TokenT2TViT
from .token_vit import TokenViT
