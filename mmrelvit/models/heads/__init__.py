# Each module registers its components on import.
from .position_head import AbsPositionHead
from .relation_head import PatchRelationHead
