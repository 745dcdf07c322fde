"""PatchPermute, MegaPatches, PatchAugment on (H, W, C) uint8 images."""
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate
from mmpretrain.registry import TRANSFORMS

import mmrelvit.datasets  # noqa: F401
from mmrelvit.datasets.transforms import (MegaPatches, PatchAugment,
                                          PatchPermute)
from mmrelvit.datasets.transforms.patch_augment import (adjust_brightness,
                                                        adjust_contrast,
                                                        adjust_hue,
                                                        adjust_saturation,
                                                        bilinear_matrix)
from mmrelvit.datasets.transforms.patch_utils import patchify
from mmrelvit.models.utils import batch_patch_perm, relation_targets


def patch_index_image(side=4, p=4, channels=3):
    """Every pixel of patch t holds the value t (row-major)."""
    ids = np.arange(side * side, dtype=np.uint8).reshape(side, side)
    img = np.kron(ids, np.ones((p, p), dtype=np.uint8))
    return np.repeat(img[..., None], channels, axis=2)


def test_patch_permute_moves_pixels_and_records_perm():
    np.random.seed(0)
    img = patch_index_image()
    out = PatchPermute(patch_size=4)(dict(img=img.copy()))
    perm = out['patch_perm']
    assert perm.dtype == np.int64 and sorted(perm) == list(range(16))
    assert not np.array_equal(perm, np.arange(16))
    # slot a holds original patch perm[a]
    assert np.array_equal(patchify(out['img'], 4)[:, 0, 0, 0], perm)
    # a second shuffle composes with the first
    again = PatchPermute(patch_size=4)(dict(out))
    assert np.array_equal(
        patchify(again['img'], 4)[:, 0, 0, 0], again['patch_perm'])
    # prob=0 records the identity and keeps the pixels
    kept = PatchPermute(patch_size=4, prob=0.)(dict(img=img.copy()))
    assert np.array_equal(kept['patch_perm'], np.arange(16))
    assert np.array_equal(kept['img'], img)
    with pytest.raises(ValueError, match='multiple'):
        PatchPermute(patch_size=5)(dict(img=img))


def test_patch_perm_reaches_head_targets_through_packing():
    np.random.seed(0)
    pipeline = Compose([
        TRANSFORMS.build(cfg) for cfg in (
            dict(type='PatchPermute', patch_size=4),
            dict(type='PackInputs', meta_keys=('patch_perm', )),
        )
    ])
    data = pseudo_collate([
        pipeline(dict(img=patch_index_image(), gt_label=0)) for _ in range(2)
    ])
    samples = data['data_samples']
    perm = batch_patch_perm(samples, 16)
    assert perm.shape == (2, 16)
    for b in range(2):
        assert 'patch_perm' in samples[b].metainfo_keys()
        pixels = data['inputs'][b][0, ::4, ::4].flatten()
        assert torch.equal(pixels.long(), perm[b])
    # the targets describe the content: patch at slot a is original perm[a]
    rel = relation_targets(4, perm)['relation']
    identity = relation_targets(4)['relation']
    assert torch.equal(rel[0], identity[perm[0]][:, perm[0]])


def ramp_image(rows, cols, p):
    """float32 channels: pixel row index, pixel column index."""
    y, x = np.mgrid[:rows * p, :cols * p].astype(np.float32)
    return np.stack([y, x, np.zeros_like(y)], axis=2)


def recover_borders(centres, p):
    """Strip borders from the mean pixel coordinate of each strip."""
    borders = [0.]
    for c in centres:
        borders.append(2 * c + 1 - borders[-1])
    return np.array(borders) / p


@pytest.mark.parametrize('test_mode', [True, False])
def test_mega_patches_tile_the_image(test_mode):
    p, side, m = 4, 7, 3
    transform = MegaPatches(num_side=m, patch_size=p, test_mode=test_mode)
    found_independent = False
    for seed in range(10):
        np.random.seed(seed)
        out = transform(dict(img=ramp_image(side, side, p)))
        assert out['img'].shape == (m * p, m * p, 3)
        assert out['megapatch_grid'] == m
        means = patchify(out['img'], p).mean(axis=(1, 2))  # (M*M, 3)
        means = means.reshape(m, m, 3)
        row_borders = recover_borders(means[:, 0, 0], p)
        col_borders = recover_borders(means[0, :, 1], p)
        for borders in (row_borders, col_borders):
            # M strips of whole patches, at least one each, covering S
            np.testing.assert_allclose(borders, np.round(borders), atol=1e-4)
            assert borders[-1] == pytest.approx(side)
            assert np.all(np.diff(np.round(borders)) >= 1)
        # rows of blocks share their row strip, columns their column strip
        assert np.ptp(means[:, :, 0], axis=1).max() == 0
        assert np.ptp(means[:, :, 1], axis=0).max() == 0
        if not np.allclose(row_borders, col_borders):
            found_independent = True
    if test_mode:
        assert np.allclose(row_borders, [0, 2, 4, 7])
        assert not found_independent
    else:
        assert found_independent  # columns are not the row split (bug fix)


def test_mega_patches_before_permute_only():
    img = patch_index_image()
    with pytest.raises(ValueError, match='before PatchPermute'):
        MegaPatches(2, 4)(dict(img=img, patch_perm=np.arange(16)))
    with pytest.raises(ValueError, match='cannot cut'):
        MegaPatches(5, 4)(dict(img=img))


def test_bilinear_matrix_matches_torch():
    crop = torch.rand(1, 1, 7, 7)
    ref = torch.nn.functional.interpolate(
        crop,
        size=(8, 8),
        mode='bilinear',
        align_corners=False,
        antialias=False)[0, 0].numpy()
    a = bilinear_matrix(8, 7)
    np.testing.assert_allclose(a @ crop[0, 0].numpy() @ a.T, ref, atol=1e-5)


def test_jitter_ops_match_torchvision():
    tvf = pytest.importorskip('torchvision.transforms.functional')
    torch.manual_seed(0)
    x = torch.rand(3, 3, 5, 5)  # (M, C, h, w)
    xn = x.permute(0, 2, 3, 1).numpy()  # (M, h, w, C)
    f = np.array([0.7, 1.2, 1.35], dtype=np.float32)[:, None, None, None]
    hue = np.array([-0.1, 0.03, 0.08], dtype=np.float32)[:, None, None, None]
    for ours, theirs, factors in (
        (adjust_brightness, tvf.adjust_brightness, f),
        (adjust_contrast, tvf.adjust_contrast, f),
        (adjust_saturation, tvf.adjust_saturation, f),
        (adjust_hue, tvf.adjust_hue, hue),
    ):
        got = ours(xn.copy(), factors)
        for i in range(3):
            ref = theirs(x[i], factors[i].item()).permute(1, 2, 0).numpy()
            np.testing.assert_allclose(got[i], ref, atol=1e-5)


def test_patch_augment_is_per_patch():
    np.random.seed(0)
    img = patch_index_image(p=8) * 10
    # crop + resize of a constant patch is the patch: nothing bleeds
    crop_only = PatchAugment(8, jitter_prob=0., gray_prob=0.)
    out = crop_only(dict(img=img.copy()))['img']
    assert out.dtype == np.uint8 and np.array_equal(out, img)

    np.random.seed(0)
    rgb = np.random.randint(0, 256, (32, 32, 3), dtype=np.uint8)
    noop = PatchAugment(8, crop_ratio=1., jitter_prob=0., gray_prob=0.)
    assert np.array_equal(noop(dict(img=rgb.copy()))['img'], rgb)
    gray = PatchAugment(
        8, jitter_prob=0., gray_prob=1.)(dict(img=rgb.copy()))['img']
    assert np.abs(gray.astype(int) - gray[..., :1]).max() <= 1
    jittered = PatchAugment(
        8, jitter_prob=1., gray_prob=0.)(dict(img=rgb.copy()))['img']
    assert jittered.shape == rgb.shape and not np.array_equal(jittered, rgb)

    flat = rgb[..., 0].copy()  # (H, W) grayscale
    out = PatchAugment(8, jitter_prob=1.)(dict(img=flat.copy()))['img']
    assert out.shape == flat.shape and out.dtype == np.uint8

    np.random.seed(3)
    first = PatchAugment(8)(dict(img=rgb.copy()))['img']
    np.random.seed(3)
    assert np.array_equal(PatchAugment(8)(dict(img=rgb.copy()))['img'], first)


def test_patch_augment_normalized_space_clamps_like_reference():
    np.random.seed(0)
    mean = np.array([123.675, 116.28, 103.53])
    std = np.array([58.395, 57.12, 57.375])
    rgb = np.random.randint(0, 256, (32, 32, 3), dtype=np.uint8)
    aug = PatchAugment(
        8,
        crop_ratio=1.,
        jitter_prob=1.,
        jitter=(0.4, 0, 0, 0),
        gray_prob=0.,
        channel_order='rgb',
        jitter_space='normalized',
        mean=mean,
        std=std)
    out = aug(dict(img=rgb.copy()))['img'].astype(np.float64)
    z = (out - mean) / std
    # the reference's brightness blend clamps normalised values to [0, 1]
    assert z.min() > -0.02 and z.max() < 1.02
    assert ((rgb - mean) / std).min() < -1
    with pytest.raises(ValueError, match='mean and std'):
        PatchAugment(8, jitter_space='normalized')
