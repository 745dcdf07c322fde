# Each module registers its components on import.
from .drloc_head import DrLocHead
from .position_head import AbsPositionHead
from .relation_head import PatchRelationHead
