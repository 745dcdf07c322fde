from mmseg.registry import DATASETS

from mmrelvit.datasets.digits_segmentation import (DIGITS_SEG_CLASSES,
                                                   DIGITS_SEG_PALETTE)
from .checked_ade20k import CheckedADE20KDataset


@DATASETS.register_module()
class DigitsSegDataset(CheckedADE20KDataset):
    """Embedded digit scenes in ADE20K's layout (``make_digits.py --tasks
    seg``): background plus the ten digits, 11 classes.

    Raw label maps hold 1 for background and ``c + 2`` for digit ``c``; 0 is
    reserved for "ignore". They are read with ``reduce_zero_label=True`` as
    for ADE20K (see :mod:`mmrelvit.datasets.digits_segmentation`), and are
    checked when the data set is built.

    Args:
        check_inputs (bool): Whether to check the files. Defaults to True.
        **kwargs: See :class:`mmseg.datasets.ADE20KDataset`.
    """
    METAINFO = dict(classes=DIGITS_SEG_CLASSES, palette=DIGITS_SEG_PALETTE)
