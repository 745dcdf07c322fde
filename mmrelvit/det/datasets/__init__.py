# Each module registers its data set into mmdet's DATASETS on import.
from .checked_coco import CheckedCocoDataset
from .checked_voc import CheckedVOCDataset
from .input_check import check_coco, check_voc_xml, load_coco_json

__all__ = [
    'CheckedCocoDataset', 'CheckedVOCDataset', 'check_coco', 'check_voc_xml',
    'load_coco_json'
]
