import torch
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.utils import resize_pos_embed
from mmpretrain.registry import MODELS


@MODELS.register_module()
class TokenViT(VisionTransformer):
    """Vision Transformer that exposes its patch-token grid and class token.

    Adds two things to :class:`mmpretrain.models.VisionTransformer` and no
    parameters, so its state dict has exactly the keys of the core ViT built
    with the same arguments (checkpoints transfer with
    ``prefix='backbone.'``):

    - ``out_type='tokens'``: every out index yields the pair
      ``(patch_grid, cls_token)``, ``patch_grid`` of shape (B, C, h, w) in
      row-major token order and ``cls_token`` of shape (B, C). At the last
      layer both are taken after the final norm (``final_norm=True``).
    - ``use_pos_embed``: RelViT's self-supervised upstream runs without
      positional embeddings, which makes the encoder permutation-equivariant
      over patches. With ``use_pos_embed=False`` the ``pos_embed`` parameter
      is kept (same keys, still initialised, still loadable) but neither
      added nor trained.

    Note that mmpretrain's ``arch='small'`` is 768-d with 8 layers; ViT-S
    (384-d, 12 layers, 6 heads) is ``arch='deit-small'``.

    Args:
        use_pos_embed (bool): Whether to add the positional embedding to the
            tokens. Defaults to True.
        out_type (str): ``'tokens'`` or any out type of the core ViT.
            Defaults to ``'tokens'``.
        **kwargs: See :class:`mmpretrain.models.VisionTransformer`.
    """
    OUT_TYPES = VisionTransformer.OUT_TYPES | {'tokens'}

    def __init__(self,
                 *args,
                 use_pos_embed: bool = True,
                 out_type: str = 'tokens',
                 **kwargs):
        if out_type == 'tokens' and not kwargs.get('with_cls_token', True):
            raise ValueError(
                'out_type="tokens" returns the class token, so it needs '
                'with_cls_token=True.')
        patch_size = kwargs.get('patch_size', 16)
        sides = patch_size if isinstance(patch_size,
                                         (tuple, list)) else [patch_size]
        if not all(type(s) is int and s >= 1 for s in sides):
            # else a ZeroDivisionError deep in the weight init
            raise ValueError(f'TokenViT: patch_size must be a positive '
                             f'integer, got {patch_size!r}')
        super().__init__(*args, out_type=out_type, **kwargs)
        self.use_pos_embed = use_pos_embed
        if not use_pos_embed:
            # An unused trainable parameter breaks DDP without
            # find_unused_parameters; a frozen one is simply skipped.
            self.pos_embed.requires_grad_(False)

    def forward(self, x):
        B = x.shape[0]
        x, patch_resolution = self.patch_embed(x)

        if self.cls_token is not None:
            cls_token = self.cls_token.expand(B, -1, -1)
            x = torch.cat((cls_token, x), dim=1)

        if self.use_pos_embed:
            x = x + resize_pos_embed(
                self.pos_embed,
                self.patch_resolution,
                patch_resolution,
                mode=self.interpolate_mode,
                num_extra_tokens=self.num_extra_tokens)
        x = self.drop_after_pos(x)

        x = self.pre_norm(x)

        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)

            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)

            if i in self.out_indices:
                outs.append(self._format_output(x, patch_resolution))

        return tuple(outs)

    def _format_output(self, x, hw):
        if self.out_type != 'tokens':
            return super()._format_output(x, hw)
        B, _, C = x.shape
        # (B, N, C) -> (B, C, h, w), token t at row t // w, col t % w
        patch_grid = x[:, self.num_extra_tokens:].transpose(1, 2)
        patch_grid = patch_grid.reshape(B, C, *hw)
        return patch_grid, x[:, 0]
