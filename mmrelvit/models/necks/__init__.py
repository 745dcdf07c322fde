# Each module registers its components on import.
from .vit_pyramid_neck import ViTPyramidNeck
