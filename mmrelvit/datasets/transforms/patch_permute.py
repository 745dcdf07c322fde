import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from .patch_utils import (check_patch_size, patch_grid_shape, patchify,
                          unpatchify)


@TRANSFORMS.register_module()
class PatchPermute(BaseTransform):
    """Shuffle the image's patches and record the permutation.

    Patch slot ``a`` of the output holds original patch ``patch_perm[a]``
    (row-major order), which is the convention of
    :func:`mmrelvit.models.utils.relation_targets`. The pixels and the
    recorded permutation always change together (the reference code
    permuted the targets without the pixels when no patch transform was
    set). When the transform is skipped (``prob``) the identity is recorded,
    so every sample of a batch carries a permutation. Applied to an image
    that already has ``patch_perm``, the permutations compose.

    Place it after the geometric augmentations, mega-patches and
    :class:`PatchAugment`. Pack the key as metainfo (the heads read
    ``data_sample.get('patch_perm')``, so ``algorithm_keys`` works too, but
    metainfo is the package contract). mmpretrain's ``PackInputs`` replaces
    its default ``meta_keys`` by the given tuple, so list them all::

        dict(type='PackInputs',
             meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape',
                        'scale_factor', 'flip', 'flip_direction',
                        'patch_perm'))

    ``tools/train.py`` refuses a pipeline whose ``Pack*`` transform after
    ``PatchPermute`` drops the key (:func:`check_patch_perm_packed`): the
    pixels would be shuffled while the heads train on identity targets.

    Required keys: ``img`` (H, W[, C]), H and W multiples of ``patch_size``.
    Added keys: ``patch_perm`` (int64 array of shape (N, )).

    Args:
        patch_size (int): Patch side in pixels; the grid must be the token
            grid the heads see.
        prob (float): Probability of shuffling. Defaults to 1.0.
    """

    def __init__(self, patch_size: int, prob: float = 1.0):
        if not 0 <= prob <= 1:
            raise ValueError(f'PatchPermute: prob must be in [0, 1], got '
                             f'{prob}')
        self.patch_size = check_patch_size(patch_size, 'PatchPermute')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        img = results['img']
        rows, cols = patch_grid_shape(img, self.patch_size)
        n = rows * cols
        if self.prob >= 1 or np.random.rand() < self.prob:
            perm = np.random.permutation(n)
        else:
            perm = np.arange(n)
        results['img'] = unpatchify(
            patchify(img, self.patch_size)[perm], rows, cols)
        previous = results.get('patch_perm')
        if previous is not None:
            previous = np.asarray(previous)
            if previous.shape != (n, ):
                raise ValueError(
                    f'existing patch_perm has shape {previous.shape}, but '
                    f'the image has {n} patches of size {self.patch_size}')
            perm = previous[perm]
        results['patch_perm'] = perm.astype(np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'prob={self.prob})')


def _transform_name(transform) -> str:
    """Registered name of a pipeline entry (config dict or transform)."""
    if isinstance(transform, dict):
        kind = transform.get('type')
    else:
        kind = type(transform)
    if isinstance(kind, str):
        return kind.split('.')[-1]  # 'mmpretrain.PackInputs' -> 'PackInputs'
    return getattr(kind, '__name__', repr(kind))


def _packed_keys(transform) -> set:
    """Keys a Pack* transform (config dict or instance) puts in the data
    sample; mmpretrain's default ``meta_keys`` lack ``patch_perm``."""
    if isinstance(transform, dict):
        get = transform.get
    else:

        def get(key, default=None):
            return getattr(transform, key, default)

    from mmpretrain.datasets.transforms import PackInputs
    keys = set(get('meta_keys', PackInputs.DEFAULT_META_KEYS) or ())
    return keys | set(get('algorithm_keys', ()) or ())


def check_patch_perm_packed(pipeline, where: str = 'pipeline') -> None:
    """Refuse a pipeline whose :class:`PatchPermute` output is dropped.

    The heads take the targets of shuffled patches from the data samples'
    ``patch_perm``. If the ``Pack*`` transform after ``PatchPermute`` does
    not keep that key (mmpretrain's ``PackInputs`` keeps only its default
    ``meta_keys`` unless told otherwise), the pixels are shuffled while the
    targets stay those of the identity: the run would train a wrong task
    without any error.

    Args:
        pipeline (Sequence[dict | callable]): A data pipeline, as configs
            or transforms.
        where (str): Where the pipeline comes from, for the message (e.g.
            ``'cfg.py: train_dataloader.dataset.pipeline'``).

    Raises:
        ValueError: Naming the Pack* entry, its keys and the fix.
    """
    permute_at = None
    for i, transform in enumerate(pipeline or ()):
        name = _transform_name(transform)
        if name == 'PatchPermute':
            permute_at = i
        elif permute_at is not None and name.startswith('Pack'):
            keys = _packed_keys(transform)
            if 'patch_perm' not in keys:
                raise ValueError(
                    f"{where}[{i}]: {name} does not pack 'patch_perm', "
                    f'which PatchPermute ({where}[{permute_at}]) records: '
                    'the pixels would be shuffled while the heads train on '
                    "the identity's targets. Add 'patch_perm' to its "
                    f'meta_keys (now {sorted(keys)}).')
            permute_at = None
