"""Fashion-MNIST read from the IDX files of Debian's
``dataset-fashion-mnist`` package (or any copy of the original files)."""
import gzip
import os.path as osp
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.datasets.categories import FASHIONMNIST_CATEGORITES
from mmpretrain.registry import DATASETS

DEBIAN_ROOT = '/usr/share/datasets/fashion-mnist'
APT_HINT = 'apt-get install dataset-fashion-mnist'

# IDX element types (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE
# FORMAT"); the data are stored big-endian.
_IDX_DTYPES = {
    0x08: np.dtype('>u1'),
    0x09: np.dtype('>i1'),
    0x0B: np.dtype('>i2'),
    0x0C: np.dtype('>i4'),
    0x0D: np.dtype('>f4'),
    0x0E: np.dtype('>f8'),
}


def read_idx(path: str) -> np.ndarray:
    """Read one IDX file, gzip-compressed or raw.

    Args:
        path (str): File path; a ``.gz`` suffix means gzip.

    Returns:
        np.ndarray: The array with the shape stored in the header, in the
        native byte order.
    """
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 \
            or data[2] not in _IDX_DTYPES:
        raise ValueError(f'{path} is not an IDX file (bad magic number).')
    dtype, ndim = _IDX_DTYPES[data[2]], data[3]
    shape = tuple(
        int(d) for d in np.frombuffer(data, '>u4', count=ndim, offset=4))
    count = int(np.prod(shape))
    offset = 4 + 4 * ndim
    if len(data) - offset < count * dtype.itemsize:
        raise ValueError(f'{path} is truncated: the header announces '
                         f'shape {shape}.')
    array = np.frombuffer(data, dtype, count=count, offset=offset)
    return array.reshape(shape).astype(dtype.newbyteorder('='))


def write_idx(path: str, array: np.ndarray) -> None:
    """Write ``array`` (uint8) as an IDX file, gzip-compressed if ``path``
    ends with ``.gz``; the inverse of :func:`read_idx` for test fixtures."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape,
                                                          '>u4').tobytes()
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'wb') as f:
        f.write(header + array.tobytes())


def stratified_subset(labels: np.ndarray, num: int, seed: int) -> np.ndarray:
    """Indices of a class-balanced random subset.

    Classes get ``num // C`` samples each (the first ``num % C`` classes in
    a seeded random order one more), as far as they have them; the rest is
    filled from the remaining samples at random.

    Args:
        labels (np.ndarray): (N, ) class ids.
        num (int): Subset size, ``0 < num <= N``.
        seed (int): Seed of the draw.

    Returns:
        np.ndarray: ``num`` sorted, distinct indices.
    """
    if not 0 < num <= len(labels):
        raise ValueError(f'subset size must be in [1, {len(labels)}], '
                         f'got {num}')
    rng = np.random.RandomState(seed)
    classes = rng.permutation(np.unique(labels))
    quota = np.full(len(classes), num // len(classes))
    quota[:num % len(classes)] += 1
    chosen, rest = [], []
    for c, q in zip(classes, quota):
        idx = rng.permutation(np.flatnonzero(labels == c))
        chosen.append(idx[:q])
        rest.append(idx[q:])
    chosen = np.concatenate(chosen)
    missing = num - len(chosen)
    if missing > 0:
        chosen = np.concatenate(
            [chosen, rng.permutation(np.concatenate(rest))[:missing]])
    return np.sort(chosen)


@DATASETS.register_module()
class FashionMNISTIDX(BaseDataset):
    """Fashion-MNIST from local IDX files, optionally a seeded subset.

    Reads ``{train,t10k}-{images-idx3,labels-idx1}-ubyte`` with or without
    ``.gz`` (Debian's ``dataset-fashion-mnist`` installs the gzip files in
    ``/usr/share/datasets/fashion-mnist``). Nothing is downloaded: a missing
    file raises ``FileNotFoundError`` naming it and the apt command.
    mmpretrain's own ``FashionMNIST`` needs the decompressed files and
    downloads them when missing, which an offline machine cannot do.

    Images are (28, 28) uint8 arrays in ``img`` (no loading transform is
    needed; ``PackInputs`` makes them (1, 28, 28)), labels in ``gt_label``
    and the image's index in the full split in ``source_idx``.

    Args:
        data_root (str): Directory of the IDX files. Defaults to the Debian
            location.
        split (str): ``'train'`` (60,000 images) or ``'test'`` (10,000).
            Defaults to ``'train'``.
        num_samples (int, optional): Keep a class-balanced random subset of
            this size (see :func:`stratified_subset`), e.g. 2,000 training
            images for a small-data study. None keeps the whole split.
        subset_seed (int): Seed of the subset draw, fixed separately from
            the training seed so that every run sees the same images.
            Defaults to 0.
        **kwargs: See :class:`mmpretrain.datasets.BaseDataset`.
    """
    METAINFO = {'classes': FASHIONMNIST_CATEGORITES}
    FILES = dict(
        train=('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
        test=('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'))

    def __init__(self,
                 data_root: str = DEBIAN_ROOT,
                 split: str = 'train',
                 num_samples: Optional[int] = None,
                 subset_seed: int = 0,
                 **kwargs):
        if split not in self.FILES:
            raise ValueError(f'split must be one of {sorted(self.FILES)}, '
                             f'got {split!r}')
        self.split = split
        self.num_samples = num_samples
        self.subset_seed = subset_seed
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(ann_file='', data_root=data_root, **kwargs)

    def _find(self, name: str) -> str:
        for candidate in (name + '.gz', name):
            path = osp.join(self.data_root, candidate)
            if osp.isfile(path):
                return path
        raise FileNotFoundError(
            f'Fashion-MNIST file {name}[.gz] not found in '
            f'{self.data_root!r}. Install the Debian package with '
            f'`{APT_HINT}` (files in {DEBIAN_ROOT}) or set data_root to a '
            'directory holding the IDX files.')

    def load_data_list(self) -> List[dict]:
        images_name, labels_name = self.FILES[self.split]
        images = read_idx(self._find(images_name))
        labels = read_idx(self._find(labels_name)).astype(np.int64)
        if images.ndim != 3 or labels.shape != images.shape[:1]:
            raise ValueError(
                f'Fashion-MNIST {self.split} images {images.shape} and '
                f'labels {labels.shape} do not match in {self.data_root!r}.')
        indices = np.arange(len(labels))
        if self.num_samples is not None:
            indices = stratified_subset(labels, self.num_samples,
                                        self.subset_seed)
        return [
            dict(img=images[i], gt_label=int(labels[i]), source_idx=int(i))
            for i in indices
        ]
