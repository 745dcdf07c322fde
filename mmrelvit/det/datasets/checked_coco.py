import time
from typing import List

from mmdet.datasets import CocoDataset
from mmdet.datasets.api_wrappers import COCO
from mmdet.registry import DATASETS
from mmengine.logging import print_log

from .input_check import check_coco, load_coco_json, raise_problems


def _preloaded_coco(data: dict) -> COCO:
    """mmdet's COCO API on an already parsed (and checked) json dict."""
    coco = COCO()
    coco.dataset = data
    coco.createIndex()
    # mmdet's snake-case aliases point at the indexes of COCO.__init__
    coco.img_ann_map = coco.imgToAnns
    coco.cat_img_map = coco.catToImgs
    return coco


@DATASETS.register_module()
class CheckedCocoDataset(CocoDataset):
    """mmdet's :class:`CocoDataset` that checks its annotations when built.

    ``CocoDataset`` silently drops an annotation whose category id is not a
    category of the json or whose box has no area inside the image, trains
    on boxes that stick out of the image, and shifts every label after a
    class of ``classes`` that the json lacks. This data set reads the json
    once, lists every such problem (and missing image files, a truncated
    json, a json without ``images``) as ``file: problem`` in one
    ``ValueError`` before the first training step, see
    :func:`~mmrelvit.det.datasets.input_check.check_coco`, and then loads
    exactly as ``CocoDataset``.

    Used for COCO and for the KITTI 2D, SVHN and digit-scene jsons written
    by ``tools/dataset_converters``.

    Args:
        check_inputs (bool): Whether to check. Defaults to True.
        allow_class_subset (bool): Accept json categories that are not in
            ``classes`` (training on a subset of the classes on purpose).
            Defaults to False.
        box_tolerance (float): Pixels a box may stick out of its image.
            Defaults to 1.0.
        **kwargs: See :class:`mmdet.datasets.CocoDataset`.
    """

    def __init__(self,
                 *args,
                 check_inputs: bool = True,
                 allow_class_subset: bool = False,
                 box_tolerance: float = 1.0,
                 **kwargs):
        self.check_inputs = check_inputs
        self.allow_class_subset = allow_class_subset
        self.box_tolerance = box_tolerance
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not self.check_inputs:
            return super().load_data_list()
        start = time.time()
        data = load_coco_json(self.ann_file, self.backend_args)
        problems, num_images = check_coco(
            data,
            self.ann_file,
            self.metainfo['classes'],
            img_prefix=self.data_prefix.get('img', ''),
            backend_args=self.backend_args,
            allow_class_subset=self.allow_class_subset,
            box_tolerance=self.box_tolerance,
            require_annotations=not self.test_mode)
        raise_problems(f'{type(self).__name__}({self.ann_file})', problems,
                       f'{num_images} images')
        print_log(
            f'{type(self).__name__}: checked {num_images} images of '
            f'{self.ann_file} in {time.time() - start:.1f}s',
            logger='current')
        # the instance attribute shadows the class's COCOAPI while the
        # parent builds its index from the json read above
        self.COCOAPI = lambda _path: _preloaded_coco(data)
        try:
            return super().load_data_list()
        finally:
            del self.COCOAPI
