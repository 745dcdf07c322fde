# Each module registers its data set into mmseg's DATASETS on import.
from .checked_ade20k import CheckedADE20KDataset
from .digits_seg_dataset import DigitsSegDataset
from .input_check import SegInputCheckMixin, check_seg_inputs

__all__ = [
    'CheckedADE20KDataset', 'DigitsSegDataset', 'SegInputCheckMixin',
    'check_seg_inputs'
]
