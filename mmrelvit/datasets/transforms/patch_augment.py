from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from .patch_utils import (check_patch_size, patch_grid_shape, patchify,
                          unpatchify)

GRAY_WEIGHTS = np.array([0.2989, 0.587, 0.114], dtype=np.float32)  # RGB


def bilinear_matrix(out_size: int, in_size: int) -> np.ndarray:
    """(out, in) weights of 1-D bilinear resizing, half-pixel centres.

    The weights of ``F.interpolate(mode='bilinear', align_corners=False,
    antialias=False)``, i.e. torchvision's tensor ``Resize`` used by the
    reference.
    """
    src = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
    src = np.clip(src, 0, None)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    lam = (src - i0).astype(np.float32)
    weights = np.zeros((out_size, in_size), dtype=np.float32)
    rows = np.arange(out_size)
    np.add.at(weights, (rows, i0), 1 - lam)
    np.add.at(weights, (rows, i1), lam)
    return weights


def gray(x: np.ndarray) -> np.ndarray:
    """(..., 3) RGB -> (..., 1) luma, torchvision's weights."""
    return (x @ GRAY_WEIGHTS)[..., None]


def _blend(x, y, factor, bound):
    return np.clip(factor * x + (1 - factor) * y, 0, bound)


def adjust_brightness(x, factor, bound=1.):
    return _blend(x, 0., factor, bound)


def adjust_contrast(x, factor, bound=1.):
    lum = gray(x) if x.shape[-1] == 3 else x
    return _blend(x, lum.mean(axis=(1, 2, 3), keepdims=True), factor, bound)


def adjust_saturation(x, factor, bound=1.):
    if x.shape[-1] != 3:
        return x
    return _blend(x, gray(x), factor, bound)


def adjust_hue(x, shift):
    """Shift the hue of (M, h, w, 3) RGB patches by ``shift`` (M, 1, 1, 1).

    Same formulas as torchvision's tensor ``adjust_hue`` (which neither
    clamps its input nor ``v``, so it also covers normalised values).
    """
    if x.shape[-1] != 3:
        return x
    with np.errstate(divide='ignore', invalid='ignore'):
        return _shift_hue(x, shift)


def _shift_hue(x, shift):
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    maxc, minc = x.max(-1), x.min(-1)
    eqc = maxc == minc
    cr = maxc - minc
    s = cr / np.where(eqc, 1, maxc)
    cr_div = np.where(eqc, 1, cr)
    rc, gc, bc = (maxc - r) / cr_div, (maxc - g) / cr_div, (maxc - b) / cr_div
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) *
         (2 + rc - bc) + ((maxc != g) & (maxc != r)) * (4 + gc - rc))
    h = np.fmod(h / 6 + 1, 1)
    h = np.mod(h + shift[..., 0], 1)

    i = np.floor(h * 6)
    f = h * 6 - i
    i = i.astype(np.int64) % 6
    v = maxc
    p = np.clip(v * (1 - s), 0, 1)
    q = np.clip(v * (1 - s * f), 0, 1)
    t = np.clip(v * (1 - s * (1 - f)), 0, 1)
    # torchvision's a1/a2/a3 tables: channel value per hue sector i
    tables = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    out = np.empty_like(x)
    for c, table in enumerate(tables):
        out[..., c] = np.choose(i, table)
    return out


def _check_args(crop_ratio, jitter_prob, jitter, gray_prob) -> None:
    """Refuse values that would otherwise be clamped or ignored silently."""
    probs = dict(jitter_prob=jitter_prob, gray_prob=gray_prob)
    for name, value in probs.items():
        if not 0 <= value <= 1:
            raise ValueError(f'PatchAugment: {name} is a probability in '
                             f'[0, 1], got {value}')
    if not 0 < crop_ratio <= 1:
        raise ValueError(f'PatchAugment: crop_ratio is the crop side over '
                         f'the patch side, in (0, 1], got {crop_ratio}')
    jitter = tuple(jitter)
    if len(jitter) != 4:
        raise ValueError(f'PatchAugment: jitter is (brightness, contrast, '
                         f'saturation, hue), got {jitter}')
    if min(jitter[:3]) < 0 or not 0 <= jitter[3] <= 0.5:
        raise ValueError(f'PatchAugment: jitter strengths must be >= 0 and '
                         f'the hue strength at most 0.5 (torchvision '
                         f'ColorJitter), got {jitter}')


@TRANSFORMS.register_module()
class PatchAugment(BaseTransform):
    """RelViT per-patch augmentation on the pixel image.

    For every patch independently (reference ``patch_transforms.py``):
    a random ``round(p * crop_ratio)`` crop resized back to ``p`` (bilinear,
    torchvision tensor weights), then with probability ``jitter_prob`` a
    colour jitter (brightness, contrast, saturation, hue in a random order,
    torchvision ``ColorJitter`` semantics), then with probability
    ``gray_prob`` grayscale. Runs on the image before normalisation, with
    the global numpy RNG (seeded by mmengine).

    ``jitter_space``:

    - ``'pixel'`` (default, the fix): the jitter clamps to the valid pixel
      range.
    - ``'normalized'`` (faithful): reproduces the reference, which jittered
      already normalised tensors, so the clamp maps every jittered value to
      [0, 1] in normalised space (all negatives become 0). Needs the
      ``mean`` and ``std`` of the data preprocessor; the result is mapped
      back to pixels so that the preprocessor's normalisation yields the
      reference values (up to uint8 rounding and clipping).

    Required keys: ``img`` (H, W[, C]), sides multiples of ``patch_size``.
    Modified keys: ``img`` (same dtype).

    Args:
        patch_size (int): Patch side p in pixels.
        crop_ratio (float): Crop side over patch side. Defaults to 1/1.15.
        jitter_prob (float): Probability of the colour jitter per patch.
            Defaults to 0.8.
        jitter (Sequence[float]): Brightness, contrast, saturation and hue
            strengths. Defaults to (0.4, 0.4, 0.4, 0.1).
        gray_prob (float): Probability of grayscale per patch.
            Defaults to 0.2.
        channel_order (str): ``'bgr'`` (mmpretrain's image loading) or
            ``'rgb'``. Defaults to ``'bgr'``.
        jitter_space (str): ``'pixel'`` or ``'normalized'``.
            Defaults to ``'pixel'``.
        mean (Sequence[float], optional): RGB mean in pixel units, for
            ``'normalized'``.
        std (Sequence[float], optional): RGB std in pixel units, for
            ``'normalized'``.
    """

    def __init__(self,
                 patch_size: int,
                 crop_ratio: float = 1 / 1.15,
                 jitter_prob: float = 0.8,
                 jitter: Sequence[float] = (0.4, 0.4, 0.4, 0.1),
                 gray_prob: float = 0.2,
                 channel_order: str = 'bgr',
                 jitter_space: str = 'pixel',
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None):
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(f'channel_order must be bgr or rgb, got '
                             f'{channel_order!r}')
        if jitter_space not in ('pixel', 'normalized'):
            raise ValueError(f'jitter_space must be pixel or normalized, '
                             f'got {jitter_space!r}')
        if jitter_space == 'normalized' and (mean is None or std is None):
            raise ValueError('jitter_space="normalized" needs mean and std')
        patch_size = check_patch_size(patch_size, 'PatchAugment')
        _check_args(crop_ratio, jitter_prob, jitter, gray_prob)
        self.patch_size = patch_size
        self.crop_size = min(
            max(int(round(patch_size * crop_ratio)), 1), patch_size)
        self.resize = bilinear_matrix(patch_size, self.crop_size)
        self.jitter_prob = jitter_prob
        self.jitter = tuple(jitter)
        self.gray_prob = gray_prob
        self.channel_order = channel_order
        self.jitter_space = jitter_space
        self.mean = None if mean is None else np.float32(mean) / 255
        self.std = None if std is None else np.float32(std) / 255

    def _crop_resize(self, x: np.ndarray) -> np.ndarray:
        n, p, c = x.shape[0], self.patch_size, self.crop_size
        if c == p:
            return x
        offsets = np.random.randint(0, p - c + 1, size=(2, n))
        ys = offsets[0][:, None] + np.arange(c)
        xs = offsets[1][:, None] + np.arange(c)
        crops = x[np.arange(n)[:, None, None], ys[:, :, None], xs[:, None, :]]
        # optimize=True contracts pairwise (30x faster at 224 px)
        return np.einsum(
            'ia,nabk,jb->nijk', self.resize, crops, self.resize, optimize=True)

    def _color_jitter(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        apply = np.random.rand(n) < self.jitter_prob
        b, c, s, h = self.jitter
        factors = np.stack([
            np.random.uniform(max(0, 1 - b), 1 + b, n),
            np.random.uniform(max(0, 1 - c), 1 + c, n),
            np.random.uniform(max(0, 1 - s), 1 + s, n),
            np.random.uniform(-h, h, n),
        ], 1).astype(np.float32)[:, :, None, None, None]
        order = np.argsort(np.random.rand(n, 4), axis=1)
        ops = (adjust_brightness, adjust_contrast, adjust_saturation,
               adjust_hue)
        for step in range(4):
            for op_id, op in enumerate(ops):
                sel = apply & (order[:, step] == op_id)
                if sel.any():
                    x[sel] = op(x[sel], factors[sel, op_id])
        return x

    def transform(self, results: dict) -> dict:
        img = results['img']
        rows, cols = patch_grid_shape(img, self.patch_size)
        dtype = img.dtype
        x = patchify(img, self.patch_size).astype(np.float32) / 255
        if x.ndim == 3:
            x = x[..., None]
        rgb = x.shape[-1] == 3
        if rgb and self.channel_order == 'bgr':
            x = x[..., ::-1]
        if self.jitter_space == 'normalized':
            x = (x - self.mean) / self.std

        x = self._crop_resize(x)
        x = self._color_jitter(np.ascontiguousarray(x))
        if rgb:
            to_gray = np.random.rand(x.shape[0]) < self.gray_prob
            x[to_gray] = gray(x[to_gray])

        if self.jitter_space == 'normalized':
            x = x * self.std + self.mean
        if rgb and self.channel_order == 'bgr':
            x = x[..., ::-1]
        x = x.reshape(x.shape[:3] + img.shape[2:]) * 255
        if dtype == np.uint8:
            x = np.clip(np.round(x), 0, 255)
        results['img'] = unpatchify(x.astype(dtype), rows, cols)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'crop_size={self.crop_size}, '
                f'jitter_prob={self.jitter_prob}, jitter={self.jitter}, '
                f'gray_prob={self.gray_prob}, '
                f'channel_order={self.channel_order!r}, '
                f'jitter_space={self.jitter_space!r})')
