"""Cut an (H, W, C) image into row-major patches and put them back."""
from typing import Tuple

import numpy as np


def check_patch_size(patch_size, owner: str) -> int:
    """``patch_size`` if it is a positive int, else a ValueError naming
    ``owner`` (the transform) and the value."""
    is_int = isinstance(
        patch_size, (int, np.integer)) and not isinstance(patch_size, bool)
    if not is_int or patch_size < 1:
        raise ValueError(f'{owner}: patch_size must be a positive integer, '
                         f'got {patch_size!r}')
    return int(patch_size)


def patch_grid_shape(img: np.ndarray, patch_size: int) -> Tuple[int, int]:
    """Grid (rows, cols) of ``patch_size`` patches; H and W must divide."""
    check_patch_size(patch_size, 'patch grid')
    h, w = img.shape[:2]
    if h % patch_size or w % patch_size:
        raise ValueError(f'image size {h}x{w} is not a multiple of the '
                         f'patch size {patch_size}')
    return h // patch_size, w // patch_size


def patchify(img: np.ndarray, patch_size: int) -> np.ndarray:
    """(H, W, C) or (H, W) -> (N, p, p, C) or (N, p, p), row-major."""
    rows, cols = patch_grid_shape(img, patch_size)
    p = patch_size
    patches = img.reshape(rows, p, cols, p, *img.shape[2:]).swapaxes(1, 2)
    return patches.reshape(rows * cols, p, p, *img.shape[2:])


def unpatchify(patches: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Inverse of :func:`patchify` for a ``rows x cols`` grid."""
    p = patches.shape[1]
    img = patches.reshape(rows, cols, p, p, *patches.shape[3:])
    img = img.swapaxes(1, 2).reshape(rows * p, cols * p, *patches.shape[3:])
    return np.ascontiguousarray(img)
