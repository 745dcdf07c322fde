"""TokenViT / TokenT2TViT: token-pair outputs and checkpoint compatibility."""
import pytest
import torch
from mmpretrain.models import T2T_ViT, VisionTransformer

from mmrelvit.models.backbones import TokenT2TViT, TokenViT

TINY = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
VIT = dict(arch=TINY, img_size=32, patch_size=8, drop_rate=0.)
T2T = dict(
    img_size=64,
    embed_dims=32,
    num_layers=2,
    layer_cfgs=dict(num_heads=2),
    t2t_cfg=dict(token_dims=16))


def permute_patches(img, perm, p):
    """(B, C, H, W) with row-major p x p patches -> slot a holds perm[a]."""
    B, C, H, W = img.shape
    rows, cols = H // p, W // p
    patches = img.reshape(B, C, rows, p, cols, p).permute(0, 2, 4, 1, 3, 5)
    patches = patches.reshape(B, rows * cols, C, p, p)[:, perm]
    patches = patches.reshape(B, rows, cols, C, p, p)
    return patches.permute(0, 3, 1, 4, 2, 5).reshape(B, C, H, W)


def evaluated(module):
    # mmpretrain's BaseBackbone.train() returns None, so no chaining
    module.eval()
    return module


def test_tokens_output():
    model = evaluated(TokenViT(**VIT, out_indices=(0, 1)))
    outs = model(torch.rand(2, 3, 32, 32))
    assert len(outs) == 2
    for grid, cls_token in outs:
        assert grid.shape == (2, 32, 4, 4) and cls_token.shape == (2, 32)
    # non-square inputs and another patch size
    model = evaluated(TokenViT(**dict(VIT, patch_size=4)))
    (grid, cls_token), = model(torch.rand(1, 3, 32, 48))
    assert grid.shape == (1, 32, 8, 12)


def test_same_keys_and_outputs_as_core_vit():
    torch.manual_seed(0)
    core = evaluated(VisionTransformer(**VIT, out_type='featmap'))
    ours = evaluated(TokenViT(**VIT))
    assert list(ours.state_dict()) == list(core.state_dict())
    core.init_weights()
    ours.load_state_dict(core.state_dict(), strict=True)
    x = torch.rand(2, 3, 32, 32)
    (grid, cls_token), = ours(x)
    torch.testing.assert_close(grid, core(x)[0])
    core.out_type = 'cls_token'
    torch.testing.assert_close(cls_token, core(x)[0])


def test_other_out_types_still_work():
    model = evaluated(TokenViT(**VIT, out_type='avg_featmap'))
    assert model(torch.rand(1, 3, 32, 32))[0].shape == (1, 32)
    with pytest.raises(ValueError, match='with_cls_token'):
        TokenViT(**VIT, with_cls_token=False)


def test_without_pos_embed_is_permutation_equivariant():
    torch.manual_seed(0)
    model = TokenViT(**VIT, use_pos_embed=False)
    model.init_weights()
    model.eval()
    x = torch.rand(2, 3, 32, 32)
    perm = torch.randperm(16)
    (grid, cls_token), = model(x)
    (grid_p, cls_p), = model(permute_patches(x, perm, 8))
    tokens, tokens_p = grid.flatten(2), grid_p.flatten(2)
    torch.testing.assert_close(tokens_p, tokens[:, :, perm])
    torch.testing.assert_close(cls_p, cls_token)

    # the switch matters: with pos_embed the same check fails
    model.use_pos_embed = True
    (grid, _), = model(x)
    (grid_p, _), = model(permute_patches(x, perm, 8))
    assert not torch.allclose(grid_p.flatten(2), grid.flatten(2)[:, :, perm])


def test_unused_pos_embed_is_frozen():
    model = TokenViT(**VIT, use_pos_embed=False)
    assert not model.pos_embed.requires_grad
    (grid, cls_token), = model(torch.rand(1, 3, 32, 32))
    (grid.sum() + cls_token.sum()).backward()
    assert model.pos_embed.grad is None
    assert model.patch_embed.projection.weight.grad is not None


def test_token_t2t():
    torch.manual_seed(0)
    core = evaluated(T2T_ViT(**T2T, out_type='featmap'))
    ours = evaluated(TokenT2TViT(**T2T))
    assert list(ours.state_dict()) == list(core.state_dict())
    core.init_weights()
    ours.load_state_dict(core.state_dict(), strict=True)
    x = torch.rand(2, 3, 64, 64)
    out = ours(x)
    assert isinstance(out, tuple) and isinstance(out[0], tuple)
    (grid, cls_token), = out
    assert grid.shape == (2, 32, 4, 4) and cls_token.shape == (2, 32)
    torch.testing.assert_close(grid, core(x)[0])
    core.out_type = 'cls_token'
    torch.testing.assert_close(cls_token, core(x)[0])
    with pytest.raises(ValueError, match='with_cls_token'):
        TokenT2TViT(**T2T, with_cls_token=False)
