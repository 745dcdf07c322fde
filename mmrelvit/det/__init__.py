"""mmdet glue: the jointly-trained two-stage detector, registered into
mmdet's registries.

Only detection configs import this subpackage (``custom_imports``);
``import mmrelvit`` and ``mmrelvit.models`` never import mmdet.
"""
from .models import *  # noqa: F401,F403
