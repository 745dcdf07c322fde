"""mmdet glue: the jointly-trained two-stage detector and the checked
detection data sets, registered into mmdet's registries.

Only detection configs import this subpackage (``custom_imports``);
``import mmrelvit`` and ``mmrelvit.models`` never import mmdet.
"""
from .datasets import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
