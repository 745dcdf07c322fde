import os.path as osp
import time
from typing import List

from mmdet.datasets import VOCDataset
from mmdet.registry import DATASETS
from mmengine.fileio import list_from_file
from mmengine.logging import print_log

from .input_check import check_voc_xml, file_exists, raise_problems


@DATASETS.register_module()
class CheckedVOCDataset(VOCDataset):
    """mmdet's :class:`VOCDataset` that checks its annotations when built.

    ``VOCDataset`` silently skips objects whose class name is not in
    ``classes``, trains on boxes with non-positive sides or outside the
    image, and fails on a truncated xml file with a parser error that names
    no file. This data set checks every listed image id first and raises one
    ``ValueError`` listing each problem as ``file: problem`` (see
    :func:`~mmrelvit.det.datasets.input_check.check_voc_xml`), then loads
    exactly as ``VOCDataset``.

    Args:
        check_inputs (bool): Whether to check. Defaults to True.
        box_tolerance (float): Pixels a box may stick out of its image.
            Defaults to 1.0.
        **kwargs: See :class:`mmdet.datasets.VOCDataset`.
    """

    def __init__(self,
                 *args,
                 check_inputs: bool = True,
                 box_tolerance: float = 1.0,
                 **kwargs):
        self.check_inputs = check_inputs
        self.box_tolerance = box_tolerance
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        if self.check_inputs:
            self._check()
        return super().load_data_list()

    def _check(self) -> None:
        start = time.time()
        name = f'{type(self).__name__}({self.ann_file})'
        if not file_exists(self.ann_file, self.backend_args):
            raise FileNotFoundError(f'{self.ann_file}: image id list not '
                                    'found')
        img_ids = list_from_file(self.ann_file, backend_args=self.backend_args)
        if not img_ids:
            raise ValueError(f'{name}: {self.ann_file} lists no image ids')
        problems = []
        for img_id in img_ids:
            # the paths XMLDataset.load_data_list reads
            problems += check_voc_xml(
                osp.join(self.sub_data_root, self.ann_subdir, f'{img_id}.xml'),
                osp.join(self.sub_data_root, self.img_subdir, f'{img_id}.jpg'),
                self.metainfo['classes'],
                backend_args=self.backend_args,
                box_tolerance=self.box_tolerance)
        raise_problems(name, problems, f'{len(img_ids)} images')
        print_log(
            f'{type(self).__name__}: checked {len(img_ids)} annotation '
            f'files of {self.ann_file} in {time.time() - start:.1f}s',
            logger='current')
