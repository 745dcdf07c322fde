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
        task='classification',
        size=size,
        val_fraction=val_fraction,
        seed=seed)
    if _is_complete(out_dir, params):
        return out_dir
    if osp.exists(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} exists but was not written with {params}; pass '
            'overwrite=True (--overwrite) to regenerate it')
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
                Image.fromarray(upscale(images[i], size)).save(
                    osp.join(tmp, rel))
                lines.append(f'{rel} {labels[i]}\n')
            with open(osp.join(tmp, 'meta', f'{split}.txt'), 'w') as f:
                f.writelines(lines)
        with open(osp.join(tmp, 'generated.json'), 'w') as f:
            json.dump(params, f)
    return out_dir
