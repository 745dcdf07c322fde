import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from .patch_utils import check_patch_size, patch_grid_shape


@TRANSFORMS.register_module()
class MegaPatches(BaseTransform):
    """Merge random blocks of adjacent patches into an M x M patch image.

    RelViT's mega-patches: the ``S_h x S_w`` patch grid of the input is cut
    into ``M`` row strips and, independently, ``M`` column strips, each at
    least one patch wide (``M - 1`` distinct random cuts among the inner
    patch borders). Every (row strip, column strip) block is resized to one
    ``p x p`` patch, giving an ``M*p x M*p`` image whose token grid is
    ``M x M``. The reference code reused the row cuts for the columns
    (``transforms.py:344``); the columns are drawn independently here. In
    ``test_mode`` the strips are a deterministic near-equal split.

    Required keys: ``img`` (H, W[, C]), H and W multiples of ``patch_size``.
    Modified keys: ``img``, ``img_shape``.
    Added keys: ``megapatch_grid`` (M).

    Args:
        num_side (int): Mega-patches per side M (the reference default is
            5, its ImageNet-100 recipe 6).
        patch_size (int): Patch side p in pixels, of input and output.
        test_mode (bool): Deterministic split. Defaults to False.
        interpolation (str): :func:`mmcv.imresize` interpolation of the
            blocks. Defaults to ``'bilinear'`` (as the reference, no
            anti-aliasing; ``'area'`` anti-aliases).
    """

    def __init__(self,
                 num_side: int,
                 patch_size: int,
                 test_mode: bool = False,
                 interpolation: str = 'bilinear'):
        if num_side < 1:
            raise ValueError(f'num_side must be positive, got {num_side}')
        self.num_side = num_side
        self.patch_size = check_patch_size(patch_size, 'MegaPatches')
        self.test_mode = test_mode
        self.interpolation = interpolation

    def _borders(self, num_patches: int) -> np.ndarray:
        """M + 1 strip borders (in patches) over ``num_patches`` patches."""
        m = self.num_side
        if num_patches < m:
            raise ValueError(f'cannot cut {num_patches} patches into '
                             f'{m} mega-patches')
        if self.test_mode:
            return np.arange(m + 1) * num_patches // m
        cuts = np.sort(
            np.random.choice(np.arange(1, num_patches), m - 1, replace=False))
        return np.concatenate(([0], cuts, [num_patches]))

    def transform(self, results: dict) -> dict:
        if 'patch_perm' in results:
            raise ValueError('MegaPatches must run before PatchPermute: '
                             'it would scramble the recorded permutation.')
        img = results['img']
        rows, cols = patch_grid_shape(img, self.patch_size)
        p = self.patch_size
        ys = self._borders(rows) * p
        xs = self._borders(cols) * p
        m = self.num_side
        out = np.empty((m * p, m * p, *img.shape[2:]), dtype=img.dtype)
        for i in range(m):
            for j in range(m):
                block = img[ys[i]:ys[i + 1], xs[j]:xs[j + 1]]
                out[i * p:(i + 1) * p, j * p:(j + 1) * p] = mmcv.imresize(
                    block, (p, p), interpolation=self.interpolation).reshape(
                        p, p, *img.shape[2:])
        results['img'] = out
        results['img_shape'] = out.shape[:2]
        results['megapatch_grid'] = m
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_side={self.num_side}, '
                f'patch_size={self.patch_size}, '
                f'test_mode={self.test_mode}, '
                f'interpolation={self.interpolation!r})')
