"""DrLocHead: sampling, gathering, targets, losses, gradients, multi-grid."""
import math

import pytest
import torch
import torch.nn as nn

from mmrelvit.models.heads.drloc_head import DrLocHead

# Hand-picked ordered pairs (row, col) on a 3x3 and a 7x7 grid.
P1_3 = torch.tensor([[[0, 0], [2, 1], [1, 2]]])
P2_3 = torch.tensor([[[2, 2], [0, 1], [1, 0]]])  # deltas (-2,-2) (2,0) (0,2)
P1_7 = torch.tensor([[[6, 0], [3, 3], [0, 6]]])
P2_7 = torch.tensor([[[0, 6], [3, 3], [6, 6]]])  # deltas (6,-6) (0,0) (-6,0)


def head(**kwargs):
    cfg = dict(in_channels=2, hidden_channels=4, num_pairs=5)
    cfg.update(kwargs)
    return DrLocHead(**cfg)


def constant_output(h, *biases):
    """Zero the last layer(s) so the MLP outputs the given biases."""
    mlp = h.mlps[0]
    lasts = [mlp.trunk[-1]] if mlp.branches is None else list(mlp.branches)
    for layer, bias in zip(lasts, biases):
        nn.init.zeros_(layer.weight)
        with torch.no_grad():
            layer.bias.copy_(torch.as_tensor(bias, dtype=torch.float))


def t(rows):
    return torch.tensor([rows], dtype=torch.float)


@pytest.mark.parametrize(
    'mode,norm,p1,p2,hw,expected',
    [
        ('l1', 'paper', P1_3, P2_3,
         (3, 3), t([[2 / 3, 2 / 3], [2 / 3, 0], [0, 2 / 3]])),
        ('l1', 'none', P1_3, P2_3, (3, 3), t([[2, 2], [2, 0], [0, 2]])),
        ('l1', 'unit', P1_3, P2_3, (3, 3), t([[1, 1], [1, 0], [0, 1]])),
        ('l1_signed', 'paper', P1_3, P2_3,
         (3, 3), t([[-2 / 3, -2 / 3], [2 / 3, 0], [0, 2 / 3]])),
        ('l1_signed', 'none', P1_3, P2_3,
         (3, 3), t([[-2, -2], [2, 0], [0, 2]])),
        ('l1', 'paper', P1_7, P2_7,
         (7, 7), t([[6 / 7, 6 / 7], [0, 0], [6 / 7, 0]])),
        ('l1', 'unit', P1_7, P2_7, (7, 7), t([[1, 1], [0, 0], [1, 0]])),
        ('l1_signed', 'paper', P1_7, P2_7,
         (7, 7), t([[6 / 7, -6 / 7], [0, 0], [-6 / 7, 0]])),
        ('l1_signed', 'unit', P1_7, P2_7,
         (7, 7), t([[1, -1], [0, 0], [-1, 0]])),
        # Non-square 2x5 grid: rows are divided by H, columns by W.
        ('l1', 'paper', torch.tensor([[[1, 4]]]), torch.tensor([[[0, 0]]]),
         (2, 5), t([[1 / 2, 4 / 5]])),
        ('l1_signed', 'unit', torch.tensor([[[0, 4]]]), torch.tensor(
            [[[1, 0]]]), (2, 5), t([[-1, 1]])),
    ])
def test_regression_targets(mode, norm, p1, p2, hw, expected):
    got = head(mode=mode, target_norm=norm).get_targets(p1, p2, hw)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize('mode', ['ce', 'reg'])
def test_class_targets(mode):
    # Class of offset d is d + k over the 2k+1 offsets {-k..k}.
    h3 = head(mode=mode, grid_size=3)
    assert h3.get_targets(P1_3, P2_3, (3, 3)).tolist() == [[[1, 1], [5, 3],
                                                            [3, 5]]]
    h7 = head(mode=mode, grid_size=7)
    assert h7.get_targets(P1_7, P2_7, (7, 7)).tolist() == [[[13, 1], [7, 7],
                                                            [1, 7]]]
    branches = h7.mlps[0].branches
    assert [b.out_features for b in branches] == [15, 15]
    rect = head(mode=mode, grid_size=(2, 5))
    assert [b.out_features for b in rect.mlps[0].branches] == [5, 11]
    # Each axis is shifted by its own k: row 1 + 2, column -4 + 5.
    got = rect.get_targets(
        torch.tensor([[[1, 0]]]), torch.tensor([[[0, 4]]]), (2, 5))
    assert got.dtype == torch.int64 and got.tolist() == [[[3, 1]]]


def test_sampling_range_shape_and_reproducibility():
    h = head(num_pairs=400)
    torch.manual_seed(3)
    p1, p2 = h.sample_pairs(3, (2, 5))
    assert p1.shape == p2.shape == (3, 400, 2)
    assert p1.dtype == torch.int64
    both = torch.cat([p1, p2])
    # Rows and columns use their own range on a non-square grid.
    assert both[..., 0].min() == 0 and both[..., 0].max() == 1
    assert both[..., 1].min() == 0 and both[..., 1].max() == 4
    # Pairs differ across images (independent per image).
    assert not torch.equal(p1[0], p1[1])
    torch.manual_seed(3)
    q1, q2 = h.sample_pairs(3, (2, 5))
    assert torch.equal(p1, q1) and torch.equal(p2, q2)
    g = torch.Generator().manual_seed(3)
    r1, _ = h.sample_pairs(3, (2, 5), generator=g)
    assert torch.equal(r1, p1)  # a passed generator behaves like the global


def test_gather_uses_row_times_width():
    B, C, H, W = 2, 3, 2, 5
    x = torch.arange(B * C * H * W, dtype=torch.float).view(B, C, H, W)
    pos = torch.tensor([[[1, 4], [0, 2]], [[1, 0], [0, 4]]])
    got = DrLocHead.gather(x, pos)
    assert got.shape == (B, 2, C)
    for b in range(B):
        for j in range(2):
            r, c = pos[b, j].tolist()
            torch.testing.assert_close(got[b, j], x[b, :, r, c])


def test_l1_losses_hand_computed():
    x = torch.randn(1, 2, 3, 3)
    # Constant prediction (0.5, 0.25); targets (2/3,2/3) (2/3,0) (0,2/3).
    h = head()
    constant_output(h, [0.5, 0.25])
    abs_sum = 1 / 6 + 5 / 12 + 1 / 6 + 1 / 4 + 1 / 2 + 5 / 12  # = 23 / 12
    loss = h.loss_by_pairs(x, P1_3, P2_3)
    torch.testing.assert_close(loss, torch.tensor(abs_sum / 6))
    # Eq. 2: sum over images of the pair-mean of the L1 norm.
    h.reduction = 'paper'
    x2 = torch.randn(2, 2, 3, 3)
    loss = h.loss_by_pairs(x2, P1_3.expand(2, -1, -1), P2_3.expand(2, -1, -1))
    torch.testing.assert_close(loss, torch.tensor(2 * abs_sum / 3))
    # Raw integer targets (the released code).
    h = head(target_norm='none')
    constant_output(h, [0.5, 0.25])
    loss = h.loss_by_pairs(x, P1_3, P2_3)
    torch.testing.assert_close(loss, torch.tensor(7.25 / 6))
    # Signed targets (-2/3,-2/3) (2/3,0) (0,2/3).
    h = head(mode='l1_signed')
    constant_output(h, [0.5, 0.25])
    loss = h.loss_by_pairs(x, P1_3, P2_3)
    torch.testing.assert_close(loss, torch.tensor(41 / 72))


def test_ce_loss_hand_computed():
    x = torch.randn(1, 2, 3, 3)
    h = head(mode='ce', grid_size=3)
    # Row logits favour class 3 (p = 1/3, others 1/9); columns uniform.
    constant_output(h, [0, 0, 0, math.log(3), 0, 0, 0], [0] * 7)
    # Row classes 1, 5, 3 -> -log p = ln 9, ln 9, ln 3; columns ln 7 each.
    expected = (2 * math.log(9) + math.log(3)) / 3 + math.log(7)
    loss = h.loss_by_pairs(x, P1_3, P2_3)
    torch.testing.assert_close(loss, torch.tensor(expected))
    h.reduction = 'paper'  # one image: sum over images == mean
    torch.testing.assert_close(
        h.loss_by_pairs(x, P1_3, P2_3), torch.tensor(expected))


@pytest.mark.parametrize('log_term,log_sigma', [('sigma', math.log(2)),
                                                ('var', math.log(4))])
def test_reg_loss_hand_computed(log_term, log_sigma):
    x = torch.randn(1, 2, 3, 3)
    h = head(mode='reg', grid_size=3, reg_log_term=log_term)
    constant_output(h, [0] * 7, [0] * 7)
    # Uniform over classes 0..6: mu = 3, var = 28 / 7 = 4, sigma = 2.
    # (c - mu)^2 / var: rows 1, 1, 0 and cols 1, 0, 1 -> mean 4 / 3.
    expected = 4 / 3 + 2 * 0.001 * log_sigma
    loss = h.loss_by_pairs(x, P1_3, P2_3)
    torch.testing.assert_close(loss, torch.tensor(expected))


def test_loss_dict_weight_and_sampling_order():
    x = torch.randn(2, 2, 4, 4)
    h = head(loss_weight=0.5)
    torch.manual_seed(0)
    out = h.loss(x)
    assert set(out) == {'loss_drloc'}
    torch.manual_seed(0)
    p1, p2 = h.sample_pairs(2, (4, 4))
    torch.testing.assert_close(out['loss_drloc'],
                               0.5 * h.loss_by_pairs(x, p1, p2))
    h.loss_weight = 0.
    assert h.loss(x)['loss_drloc'] == 0  # lambda(0) = 0 of the schedule
    assert h.base_loss_weight == 0.5


def test_gradients_reach_only_sampled_cells():
    torch.manual_seed(0)
    h = head(hidden_channels=64)
    h.init_weights()
    x = torch.randn(1, 2, 3, 3, requires_grad=True)
    h.loss_by_pairs(x, P1_3, P2_3).backward()
    touched = x.grad.abs().sum(1)[0] > 0
    expected = torch.zeros(3, 3, dtype=torch.bool)
    for r, c in torch.cat([P1_3[0], P2_3[0]]).tolist():
        expected[r, c] = True
    assert torch.equal(touched, expected)


@pytest.mark.parametrize('mode', ['l1', 'l1_signed', 'ce', 'reg'])
def test_gradients_reach_a_tiny_backbone(mode):
    torch.manual_seed(0)
    backbone = nn.Conv2d(3, 8, 4, stride=4)  # 16x16 image -> 4x4 grid
    h = DrLocHead(in_channels=8, hidden_channels=16, mode=mode, grid_size=4)
    h.init_weights()
    loss = h.loss(backbone(torch.randn(2, 3, 16, 16)))['loss_drloc']
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    assert backbone.weight.grad.abs().sum() > 0
    assert all(p.grad is not None for p in h.parameters())


def test_multi_grid():
    h = DrLocHead(
        in_channels=(4, 8),
        in_index=(0, 1),
        hidden_channels=8,
        loss_weight=0.1)
    grids = (torch.randn(2, 4, 4, 4), torch.randn(2, 8, 2, 3))
    torch.manual_seed(1)
    out = h.loss(grids)
    assert set(out) == {'loss_drloc', 'drloc_s0', 'drloc_s1'}
    torch.manual_seed(1)
    per_grid = []
    for i, g in enumerate(grids):
        p1, p2 = h.sample_pairs(2, tuple(g.shape[-2:]))
        per_grid.append(h.loss_by_pairs(g, p1, p2, grid_id=i))
    torch.testing.assert_close(out['drloc_s0'], per_grid[0])
    torch.testing.assert_close(out['drloc_s1'], per_grid[1])
    torch.testing.assert_close(out['loss_drloc'], 0.1 * sum(per_grid))
    assert not out['drloc_s0'].requires_grad
    with pytest.raises(ValueError, match='2 grids'):
        h.loss(grids[:1])
    ce = DrLocHead(
        in_channels=(4, 8), in_index=(0, 1), mode='ce', grid_size=(4, (2, 3)))
    assert [b.out_features for b in ce.mlps[1].branches] == [5, 7]
    assert torch.isfinite(ce.loss(grids)['loss_drloc'])


def test_config_errors_and_init():
    with pytest.raises(ValueError, match='grid_size'):
        DrLocHead(in_channels=4, mode='ce')
    with pytest.raises(ValueError, match='mode'):
        DrLocHead(in_channels=4, mode='l2')
    with pytest.raises(ValueError, match='in_channels'):
        DrLocHead(in_channels=4, in_index=(0, 1))
    h = DrLocHead(in_channels=4, mode='ce', grid_size=3)
    # classes -3..3: a 5x5 grid has offsets up to 4, a 4x4 one fits
    with pytest.raises(ValueError, match=r'Grid \(5, 5\).*exceeds'):
        h.loss(torch.randn(1, 4, 5, 5))
    for side in (2, 4):
        loss = h.loss(torch.randn(1, 4, side, side))['loss_drloc']
        assert torch.isfinite(loss)
    # Code-style branches add one hidden linear before the two branches.
    code = DrLocHead(
        in_channels=4, mode='ce', grid_size=3, branch_style='code')
    assert len(code.mlps[0].trunk) == len(h.mlps[0].trunk) + 1
    # Default init: trunc-normal(0.02) weights, zero biases (Swin/T2T).
    big = DrLocHead(in_channels=256)
    big.init_weights()
    first = big.mlps[0].trunk[0]
    assert first.bias.abs().max() == 0
    assert abs(first.weight.std().item() - 0.02) < 0.002
    assert sum(p.numel() for p in big.parameters()) == \
        512 * 512 + 512 + 512 * 512 + 512 + 512 * 2 + 2


def _batch(n=2, size=32):
    from mmpretrain.structures import DataSample
    torch.manual_seed(1)
    return (torch.rand(n, 3, size, size),
            [DataSample().set_gt_label(i % 10) for i in range(n)])


@pytest.mark.parametrize('drloc', [
    dict(in_channels=32, loss_weight=0.1),
    dict(in_channels=(32, 32), in_index=(0, 1), mode='ce', grid_size=4),
])
def test_aux_ssl_classifier_integration(drloc):
    """DrLoc beside RelViT's heads in the wrapper, on a tiny TokenViT."""
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    C = 32
    model = MODELS.build(
        dict(
            type='AuxSSLClassifier',
            backbone=dict(
                type='TokenViT',
                arch=dict(
                    embed_dims=C,
                    num_layers=2,
                    num_heads=2,
                    feedforward_channels=64),
                img_size=32,
                patch_size=8,
                out_indices=(0, 1)),
            head=dict(
                type='VisionTransformerClsHead', num_classes=10,
                in_channels=C),
            aux_heads=dict(
                drloc=dict(type='DrLocHead', hidden_channels=16, **drloc),
                relation=dict(type='PatchRelationHead', in_channels=C),
                position=dict(
                    type='AbsPositionHead', in_channels=C, num_patches=16))))
    model.init_weights()
    losses = model.loss(*_batch())
    assert {'loss_cls', 'loss_drloc', 'loss_relation',
            'loss_position'} <= set(losses)
    if 'in_index' in drloc:
        assert {'drloc_s0', 'drloc_s1'} <= set(losses)
    parsed, _ = model.parse_losses(losses)
    assert torch.isfinite(parsed)
    # DrLoc alone trains the backbone (through the first block here).
    losses['loss_drloc'].backward()
    layer0 = model.backbone.layers[0]
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in layer0.parameters())


# Pairs on a 7x7 grid; d = p1 - p2 = (-6,-6) (6,6) (-2,4) (0,0).
P1_7B = torch.tensor([[[0, 0], [6, 6], [2, 5], [3, 3]]])
P2_7B = torch.tensor([[[6, 6], [0, 0], [4, 1], [3, 3]]])


@pytest.mark.parametrize('mode', ['ce', 'reg'])
def test_unsigned_offset_classes(mode):
    # --use_abs: class |d|, one class per offset 0..n-1
    from_grid = head(mode=mode, grid_size=7, use_abs=True)
    given = head(mode=mode, num_offset_classes=14, use_abs=True)
    assert [b.out_features for b in from_grid.mlps[0].branches] == [7, 7]
    assert [b.out_features for b in given.mlps[0].branches] == [14, 14]
    for h in (from_grid, given):
        got = h.get_targets(P1_7B, P2_7B, (7, 7))
        assert got.dtype == torch.int64
        assert got.tolist() == [[[6, 6], [6, 6], [2, 4], [0, 0]]]
    # an 8x8 grid has |d| = 7, which 7 classes cannot hold; 14 can
    with pytest.raises(ValueError, match=r'Grid \(8, 8\).*unsigned'):
        from_grid.loss(torch.randn(1, 2, 8, 8))
    assert torch.isfinite(given.loss(torch.randn(1, 2, 8, 8))['loss_drloc'])
    rect = head(mode=mode, grid_size=(2, 5), use_abs=True)
    assert [b.out_features for b in rect.mlps[0].branches] == [2, 5]


@pytest.mark.parametrize('mode', ['ce', 'reg'])
def test_signed_2h_minus_1_layout(mode):
    # The authors' Swin without --use_abs: 2H - 1 = 13 classes, class d + 6
    given, from_grid = (head(mode=mode, num_offset_classes=13),
                        head(mode=mode, grid_size=6))
    for h in (given, from_grid):
        assert [b.out_features for b in h.mlps[0].branches] == [13, 13]
        got = h.get_targets(P1_7B, P2_7B, (7, 7))
        assert got.tolist() == [[[0, 0], [12, 12], [4, 10], [6, 6]]]
        assert torch.isfinite(h.loss(torch.randn(1, 2, 7, 7))['loss_drloc'])
        with pytest.raises(ValueError, match=r'Grid \(8, 8\).*signed'):
            h.loss(torch.randn(1, 2, 8, 8))


def test_unsigned_losses_hand_computed():
    x = torch.randn(1, 2, 7, 7)
    # Row targets |d| = 6, 6, 2, 0; column targets 6, 6, 4, 0.
    ce = head(mode='ce', num_offset_classes=7, use_abs=True)
    # rows favour class 6 (p = 3/9), the others 1/9; columns uniform
    constant_output(ce, [0] * 6 + [math.log(3)], [0] * 7)
    expected = (2 * math.log(3) + 2 * math.log(9)) / 4 + math.log(7)
    torch.testing.assert_close(
        ce.loss_by_pairs(x, P1_7B, P2_7B), torch.tensor(expected))
    # cbr, uniform over 0..6: mu = 3, var = 4; (t - 3)^2 / 4 averages
    # (9 + 9 + 1 + 9) / 16 = 1.75 on each axis, plus 0.001 log(var) each.
    reg = head(
        mode='reg', num_offset_classes=7, use_abs=True, reg_log_term='var')
    constant_output(reg, [0] * 7, [0] * 7)
    torch.testing.assert_close(
        reg.loss_by_pairs(x, P1_7B, P2_7B),
        torch.tensor(3.5 + 2 * 0.001 * math.log(4)))


def test_offset_class_errors():
    with pytest.raises(ValueError, match='exactly one of grid_size'):
        DrLocHead(in_channels=4, mode='ce', grid_size=7, num_offset_classes=7)
    with pytest.raises(ValueError, match='odd.*got 14'):
        DrLocHead(in_channels=4, mode='reg', num_offset_classes=14)
    with pytest.raises(ValueError, match='positive'):
        DrLocHead(in_channels=4, mode='ce', num_offset_classes=0, use_abs=True)
    with pytest.raises(ValueError, match="use_abs=True contradicts"):
        DrLocHead(in_channels=4, mode='l1_signed', use_abs=True)
    with pytest.raises(ValueError, match='num_offset_classes entry'):
        DrLocHead(
            in_channels=(4, 4),
            in_index=(0, 1),
            mode='ce',
            num_offset_classes=[7],
            use_abs=True)
    # 'l1' is unsigned anyway: use_abs is accepted and changes nothing
    l1 = head(target_norm='none', use_abs=True)
    torch.testing.assert_close(
        l1.get_targets(P1_7B, P2_7B, (7, 7)),
        t([[6, 6], [6, 6], [2, 4], [0, 0]]))
    with pytest.raises(ValueError, match=r'\(rows, cols\)'):
        DrLocHead(in_channels=4, mode='ce', num_offset_classes=[7])
