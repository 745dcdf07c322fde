"""RelViT targets: golden values of the task definitions (Camporese et al.,
BMVC 2022, Sec. 3.1; configs/relvit/README.md) and invariants."""
import math

import pytest
import torch

from mmrelvit.models.utils import batch_patch_perm, relation_targets
from mmrelvit.models.utils.relation_targets import RELATION_CLASSES

# Sec. 3.1 of the RelViT paper (Eq. 5), S=3, row i = token i, col j = token j
GOLDEN_REL_S3 = """
CC LC LC CU LU LU CU LU LU / RC CC LC RU CU LU RU CU LU / RC RC CC RU RU CU RU RU CU
CD LD LD CC LC LC CU LU LU / RD CD LD RC CC LC RU CU LU / RD RD CD RC RC CC RU RU CU
CD LD LD CD LD LD CC LC LC / RD CD LD RD CD LD RC CC LC / RD RD CD RD RD CD RC RC CC
"""  # noqa: E501
GOLDEN_DIST_ROW0_S3 = [-1, -.2929, .4142, -.2929, 0, .5811, .4142, .5811, 1]
GOLDEN_ANGLE_ROW0_S3 = [-1, -.356, 0, -.356, -.986, -.566, 0, -.566, -.989]


def slow_reference(side):
    """Per-pair loops over the spec's definitions, sharing no code."""
    n = side * side
    rel = [[0] * n for _ in range(n)]
    dist = [[0.] * n for _ in range(n)]
    raw = [[0.] * n for _ in range(n)]
    for i in range(n):
        ri, ci = divmod(i, side)
        for j in range(n):
            rj, cj = divmod(j, side)
            horizontal = 'L' if ci < cj else 'C' if ci == cj else 'R'
            vertical = 'U' if ri < rj else 'C' if ri == rj else 'D'
            rel[i][j] = RELATION_CLASSES.index(horizontal + vertical)
            dist[i][j] = math.hypot(ci - cj, ri - rj)
            if i != j:
                qi = (ci + side / 2, ri + side / 2)
                qj = (cj + side / 2, rj + side / 2)
                dot = qi[0] * qj[0] + qi[1] * qj[1]
                cos = dot / (math.hypot(*qi) * math.hypot(*qj) + 1e-4)
                raw[i][j] = math.acos(cos) / math.pi
    dmax = max(map(max, dist))
    amax = max(map(max, raw))
    dist = [[2 * d / dmax - 1 for d in row] for row in dist]
    ang = [[2 * a / amax - 1 for a in row] for row in raw]
    return (torch.tensor(rel), torch.tensor(dist, dtype=torch.float32),
            torch.tensor(ang, dtype=torch.float32))


def test_golden_s3():
    t = relation_targets(3)
    rows = [r.split() for r in GOLDEN_REL_S3.replace('/', '\n').split('\n')]
    golden = torch.tensor([[RELATION_CLASSES.index(c) for c in r] for r in rows
                           if r])
    assert torch.equal(t['relation'], golden)
    assert t['relation'].dtype == torch.int64
    torch.testing.assert_close(
        t['distance'][0], torch.tensor(GOLDEN_DIST_ROW0_S3), atol=1e-3, rtol=0)
    torch.testing.assert_close(
        t['angle'][0], torch.tensor(GOLDEN_ANGLE_ROW0_S3), atol=1e-3, rtol=0)
    assert torch.equal(t['position'], torch.arange(9))


@pytest.mark.parametrize('side', [2, 4, 5, 7])
def test_closed_form_matches_slow_reference(side):
    rel, dist, ang = slow_reference(side)
    t = relation_targets((side, side))
    assert torch.equal(t['relation'], rel)
    torch.testing.assert_close(t['distance'], dist, atol=1e-5, rtol=0)
    torch.testing.assert_close(t['angle'], ang, atol=1e-4, rtol=0)


@pytest.mark.parametrize('side', [2, 3, 8])
def test_invariants(side):
    t = relation_targets(side)
    rel = t['relation']
    assert torch.equal(rel.T, 8 - rel)
    # CC (4) only on the diagonal, the diagonal always CC
    assert torch.equal(rel == 4, torch.eye(side * side, dtype=torch.bool))
    assert torch.equal(t['distance'], t['distance'].T)
    assert torch.all(t['distance'].diagonal() == -1)
    assert t['distance'].max() == 1 and t['angle'].max() == 1
    assert torch.all(t['angle'].diagonal() == -1)


def test_class_counts_s8():
    # S=8: each diagonal class 28 * 28 = 784 pairs, each edge class
    # 28 * 8 = 224, CC the 64 self-pairs, of 64 * 64 = 4096
    counts = torch.bincount(relation_targets(8)['relation'].flatten())
    assert counts.tolist() == [784, 224, 784, 224, 64, 224, 784, 224, 784]


def test_permutation_follows_content():
    torch.manual_seed(0)
    side, n = 4, 16
    perm = torch.randperm(n)
    rel, dist, ang = slow_reference(side)
    t = relation_targets(side, perm)
    for a in range(n):
        for b in range(n):
            assert t['relation'][a, b] == rel[perm[a], perm[b]]
            assert t['distance'][a, b] == pytest.approx(
                dist[perm[a], perm[b]].item(), abs=1e-5)
            assert t['angle'][a, b] == pytest.approx(
                ang[perm[a], perm[b]].item(), abs=1e-4)
    assert torch.equal(t['position'], perm)


def test_batched_permutation():
    torch.manual_seed(1)
    perms = torch.stack([torch.randperm(9) for _ in range(3)])
    batched = relation_targets(3, perms)
    assert batched['relation'].shape == (3, 9, 9)
    for b in range(3):
        single = relation_targets(3, perms[b])
        for key in ('relation', 'distance', 'angle', 'position'):
            assert torch.equal(batched[key][b], single[key])


def test_cached_per_side_and_device():
    assert relation_targets(5) is relation_targets((5, 5), device='cpu')
    assert relation_targets(5) is not relation_targets(6)


def test_bad_inputs():
    with pytest.raises(ValueError, match='square'):
        relation_targets((3, 4))
    with pytest.raises(ValueError, match='N=9'):
        relation_targets(3, torch.arange(8))


def test_single_token_has_no_nan():
    t = relation_targets(1)
    assert t['relation'].tolist() == [[4]]
    assert t['distance'].tolist() == [[-1.]] == t['angle'].tolist()


class _Sample(dict):
    """Stands in for a DataSample: only ``get`` is used."""


def test_batch_patch_perm():
    assert batch_patch_perm(None, 4) is None
    assert batch_patch_perm([_Sample(), _Sample()], 4) is None
    perm = batch_patch_perm([_Sample(patch_perm=[3, 2, 1, 0]), _Sample()], 4)
    assert perm.dtype == torch.int64
    assert perm.tolist() == [[3, 2, 1, 0], [0, 1, 2, 3]]
    with pytest.raises(ValueError, match='patch size'):
        batch_patch_perm([_Sample(patch_perm=[0, 1, 2])], 4)
