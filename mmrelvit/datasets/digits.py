"""Embedded default data built from scikit-learn's bundled handwritten
digits (1,797 real 8x8 images of 0-9, shipped inside scikit-learn, so
nothing is downloaded).

Every on-disk format mmrelvit's configs read is generated from here, so the
same deterministic train/val split serves all tasks. Writers build into a
temporary directory and rename it into place: an interrupted run leaves
nothing half-written.
"""
import json
import os
import os.path as osp
import shutil
import tempfile
from typing import Dict, Tuple

import numpy as np
from PIL import Image

DIGIT_CLASSES = tuple(str(i) for i in range(10))


def load_digits() -> Tuple[np.ndarray, np.ndarray]:
    """Load the digits as uint8 images.

    Returns:
        tuple: ``images`` (1797, 8, 8) uint8 in [0, 255] (ink is bright) and
        ``labels`` (1797,) int64 in [0, 9].
    """
    from sklearn.datasets import load_digits as sk_load_digits
    digits = sk_load_digits()
    # The raw pixels are ink intensities 0..16.
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    return images, digits.target.astype(np.int64)


def split_indices(labels: np.ndarray,
                  val_fraction: float = 0.2,
                  seed: int = 0) -> Dict[str, np.ndarray]:
    """Deterministic stratified train/val split.

    Args:
        labels (np.ndarray): (N,) class ids.
        val_fraction (float): Share of every class kept for validation.
        seed (int): Seed of the shuffle inside each class.

    Returns:
        dict: ``train`` and ``val`` sorted index arrays.
    """
    rng = np.random.RandomState(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = int(round(len(idx) * val_fraction))
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return dict(
        train=np.sort(np.concatenate(train)), val=np.sort(np.concatenate(val)))


def upscale(image: np.ndarray, size: int) -> np.ndarray:
    """Bicubic upscaling of one (h, w) uint8 digit to (size, size)."""
    return np.asarray(
        Image.fromarray(image).resize((size, size), Image.BICUBIC))


class _AtomicDir:
    """Build a directory under a temporary name, move it into place on
    success, remove it on failure."""

    def __init__(self, out_dir: str, overwrite: bool = False):
        self.out_dir = osp.abspath(out_dir)
        self.overwrite = overwrite

    def __enter__(self) -> str:
        parent = osp.dirname(self.out_dir)
        os.makedirs(parent, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix='.tmp-', dir=parent)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        if osp.exists(self.out_dir):
            if not self.overwrite:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise FileExistsError(f'{self.out_dir} already exists')
            shutil.rmtree(self.out_dir)
        os.rename(self.tmp, self.out_dir)
        return False


def _is_complete(out_dir: str, params: dict) -> bool:
    """Whether ``out_dir`` was written by a finished call with ``params``."""
    stamp = osp.join(out_dir, 'generated.json')
    if not osp.isfile(stamp):
        return False
    with open(stamp) as f:
        return json.load(f) == params


def _already_written(out_dir: str, params: dict, overwrite: bool) -> bool:
    """Whether a writer can return at once because ``out_dir`` holds its
    data; one rule for the classification, detection and segmentation
    writers.

    Args:
        out_dir (str): Root of the data set.
        params (dict): The writer's parameters, as stamped in
            ``generated.json``.
        overwrite (bool): Whether other data in ``out_dir`` may be replaced.

    Returns:
        bool: True if ``out_dir`` was written with ``params``.

    Raises:
        FileExistsError: If ``out_dir`` exists with other data and
            ``overwrite`` is False.
    """
    if _is_complete(out_dir, params):
        return True
    if osp.exists(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} exists but was not written with {params}; pass '
            'overwrite=True (--overwrite) to regenerate it')
    return False


def _write_stamp(tmp: str, params: dict) -> None:
    """Write ``generated.json``; a writer calls it last, so its presence
    means the data set is complete (see :func:`_is_complete`)."""
    with open(osp.join(tmp, 'generated.json'), 'w') as f:
        json.dump(params, f)


def write_classification(out_dir: str,
                         size: int = 32,
                         val_fraction: float = 0.2,
                         seed: int = 0,
                         overwrite: bool = False) -> str:
    """Write the digits as an mmpretrain ``CustomDataset`` tree.

    Layout::

        out_dir/train/<class>/<index>.png   (size x size, grayscale)
        out_dir/val/<class>/<index>.png
        out_dir/meta/{train,val}.txt        ("train/3/0007.png 3" per line)
        out_dir/generated.json              (parameters; written last)

    Calling it again with the same parameters is a no-op.

    Args:
        out_dir (str): Root of the data set.
        size (int): Side of the upscaled images in pixels.
        val_fraction (float): Share of each class used for validation.
        seed (int): Seed of the split.
        overwrite (bool): Replace an existing ``out_dir`` written with other
            parameters instead of raising.

    Returns:
        str: ``out_dir``.
    """
    params = dict(
        task='classification', size=size, val_fraction=val_fraction, seed=seed)
    if _already_written(out_dir, params, overwrite):
        return out_dir
    images, labels = load_digits()
    splits = split_indices(labels, val_fraction, seed)
    with _AtomicDir(out_dir, overwrite=True) as tmp:
        os.makedirs(osp.join(tmp, 'meta'))
        for split, indices in splits.items():
            lines = []
            for c in DIGIT_CLASSES:
                os.makedirs(osp.join(tmp, split, c))
            for i in indices:
                rel = osp.join(split, str(labels[i]), f'{i:04d}.png')
                Image.fromarray(upscale(images[i],
                                        size)).save(osp.join(tmp, rel))
                lines.append(f'{rel} {labels[i]}\n')
            with open(osp.join(tmp, 'meta', f'{split}.txt'), 'w') as f:
                f.writelines(lines)
        _write_stamp(tmp, params)
    return out_dir


def _textured_background(rng: np.random.RandomState, size: int) -> np.ndarray:
    """A smooth random texture: low-frequency noise at two scales plus a
    linear gradient, tinted with a random colour. (size, size, 3) uint8."""
    out = np.zeros((size, size), np.float64)
    for cells, weight in ((4, 0.6), (16, 0.25)):
        noise = rng.rand(cells, cells)
        out += weight * np.asarray(
            Image.fromarray((noise * 255).astype(np.uint8)).resize(
                (size, size), Image.BICUBIC), np.float64) / 255
    ramp = np.linspace(0, 1, size)
    angle = rng.uniform(0, 2 * np.pi)
    out += 0.15 * (
        np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None])
    out = (out - out.min()) / max(out.max() - out.min(), 1e-6)
    tint = rng.uniform(0.3, 1.0, size=3)
    # keep backgrounds in the darker half so bright digits stay visible
    return (out[..., None] * tint * 110 + 15).astype(np.uint8)


def compose_scene(rng: np.random.RandomState,
                  images: np.ndarray,
                  labels: np.ndarray,
                  pool: np.ndarray,
                  size: int = 128,
                  max_digits: int = 4,
                  scale_range: Tuple[int, int] = (20, 56),
                  ink_threshold: int = 96,
                  background: str = 'textured') -> Tuple[np.ndarray, list]:
    """Paste real digits at several scales onto a textured background.

    Digits never overlap, so every instance mask is exact and complete.

    Args:
        rng (np.random.RandomState): Source of all randomness.
        images (np.ndarray): (N, 8, 8) uint8 digits from :func:`load_digits`.
        labels (np.ndarray): (N,) their classes.
        pool (np.ndarray): Indices of the digits this scene may use (e.g.
            the train or the val split).
        size (int): Side of the square scene in pixels.
        max_digits (int): At most this many digits (at least one).
        scale_range (tuple[int]): Min and max side of a pasted digit.
        ink_threshold (int): Upscaled intensity from which a pixel belongs
            to the digit's mask.
        background (str): ``'textured'`` (tinted noise, tinted digits) or
            ``'plain'`` (grey digits on black, the look of the 32x32
            classification images, so that a digits classifier transfers).
            Defaults to ``'textured'``.

    Returns:
        tuple: ``image`` (size, size, 3) uint8 and a list of instances, each
        ``dict(label=int, index=int, bbox=[x1, y1, x2, y2], mask=(size,
        size) bool)`` with the box tight around the mask (x2, y2 exclusive).
    """
    if background == 'textured':
        canvas = _textured_background(rng, size).astype(np.float64)
    elif background == 'plain':
        canvas = np.zeros((size, size, 3))
    else:
        raise ValueError(f"background must be 'textured' or 'plain', got "
                         f'{background!r}')
    taken = np.zeros((size, size), bool)
    instances = []
    for _ in range(rng.randint(1, max_digits + 1)):
        for _attempt in range(20):
            side = rng.randint(scale_range[0], scale_range[1] + 1)
            x0 = rng.randint(0, size - side + 1)
            y0 = rng.randint(0, size - side + 1)
            index = int(rng.choice(pool))
            ink = upscale(images[index], side).astype(np.float64) / 255
            mask = ink >= ink_threshold / 255
            if not mask.any():
                continue
            window = (slice(y0, y0 + side), slice(x0, x0 + side))
            # a 2-px margin keeps neighbouring digits apart
            grown = np.zeros_like(taken)
            grown[max(y0 - 2, 0):y0 + side + 2,
                  max(x0 - 2, 0):x0 + side + 2] = True
            if (taken & grown).any():
                continue
            colour = rng.uniform(170, 255, size=3)
            if background == 'plain':
                colour[:] = colour.mean()
            alpha = np.where(mask, 1.0, ink)[..., None]
            canvas[window] = alpha * colour + (1 - alpha) * canvas[window]
            full = np.zeros((size, size), bool)
            full[window] = mask
            taken[window] = True
            ys, xs = np.nonzero(full)
            instances.append(
                dict(
                    label=int(labels[index]),
                    index=index,
                    bbox=[
                        int(xs.min()),
                        int(ys.min()),
                        int(xs.max()) + 1,
                        int(ys.max()) + 1
                    ],
                    mask=full))
            break
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8), instances
