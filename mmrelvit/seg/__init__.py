"""mmseg glue: the jointly-trained segmentor and input-checking data sets,
registered into mmseg's registries.

Only segmentation configs import this subpackage (``custom_imports``);
``import mmrelvit`` and ``mmrelvit.models`` never import mmseg.
"""
from .datasets import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
