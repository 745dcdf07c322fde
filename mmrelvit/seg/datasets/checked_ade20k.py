from mmseg.datasets import ADE20KDataset
from mmseg.registry import DATASETS

from .input_check import SegInputCheckMixin


@DATASETS.register_module()
class CheckedADE20KDataset(SegInputCheckMixin, ADE20KDataset):
    """mmseg's :class:`ADE20KDataset` that checks its files when built.

    Every image must have a readable label map of the same size whose raw
    values are 0 (ignored), 1..150 or 255 (ignored); otherwise building the
    data set raises an error naming the offending files (see
    :func:`check_seg_inputs`), instead of a data-loader worker failing in
    the middle of training.

    Args:
        check_inputs (bool): Whether to check. Defaults to True.
        **kwargs: See :class:`mmseg.datasets.ADE20KDataset`.
    """
