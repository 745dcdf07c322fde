from mmpretrain.models.backbones import T2T_ViT
from mmpretrain.registry import MODELS


@MODELS.register_module()
class TokenT2TViT(T2T_ViT):
    """T2T-ViT with the ``'tokens'`` output of :class:`TokenViT`.

    ``out_type='tokens'`` yields per out index the pair
    ``(patch_grid (B, C, h, w), cls_token (B, C))``, both after the final
    norm at the last layer. No new parameters: the state dict matches
    :class:`mmpretrain.models.T2T_ViT` built with the same arguments.
    T2T-ViT-14 at 224 px gives a 14x14 grid; RelViT pools it to the 7x7 grid
    of its 32 px labels with ``AvgPool2d(3, 2, 1, count_include_pad=False)``,
    which is the wrapper's ``grid_pool``, not part of the backbone. The
    sinusoidal position embedding is fixed and always added (as in the
    reference), which is why T2T needs patch shuffling for non-trivial
    position tasks.

    Args:
        out_type (str): ``'tokens'`` or any out type of the core T2T-ViT.
            Defaults to ``'tokens'``.
        **kwargs: See :class:`mmpretrain.models.T2T_ViT`.
    """
    OUT_TYPES = T2T_ViT.OUT_TYPES | {'tokens'}

    def __init__(self, *args, out_type: str = 'tokens', **kwargs):
        if out_type == 'tokens' and not kwargs.get('with_cls_token', True):
            raise ValueError(
                'out_type="tokens" returns the class token, so it needs '
                'with_cls_token=True.')
        super().__init__(*args, out_type=out_type, **kwargs)

    def _format_output(self, x, hw):
        if self.out_type != 'tokens':
            return super()._format_output(x, hw)
        B, _, C = x.shape
        # (B, N, C) -> (B, C, h, w), token t at row t // w, col t % w
        patch_grid = x[:, self.num_extra_tokens:].transpose(1, 2)
        return patch_grid.reshape(B, C, *hw), x[:, 0]
