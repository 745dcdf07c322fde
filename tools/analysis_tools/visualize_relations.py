"""Show what a RelViT model predicts about the patches of one image.

One PNG, five panels side by side: the input with its patch grid and the
chosen patch ``I`` highlighted (magenta); the predicted and the true spatial
relation of every patch ``j`` to patch ``I`` (the class of "j is <relation>
of I": L/C/R for the column, U/C/D for the row; wrong predictions in a
dashed frame); the predicted and the true distance from ``I`` in patch
units.

The predictions come from the model's ``PatchRelationHead`` s (``task``
``'relation'`` and ``'distance'``). For a model without one of them (the
default RelViT recipe trains relations and absolute positions only), the
missing prediction is derived from its ``AbsPositionHead``: the relation or
distance between the predicted positions of ``j`` and ``I``, which the panel
title says.

Example::

    python tools/analysis_tools/visualize_relations.py \\
        configs/small_data/vit-tiny-p4-relvit-upstream_1xb64_fmnist2k.py \\
        work_dirs/small_data/relvit-upstream/seed0/epoch_30.pth \\
        demo.png --patch 24 --out relations.png

The figure is ``--fig-width`` x ``FIG_ASPECT * --fig-width`` inches at
``--dpi``, so the PNG has exactly ``round(fig_width * dpi)`` x
``round(FIG_ASPECT * fig_width * dpi)`` pixels.
"""
import argparse
import math

import numpy as np
import torch

PANELS = 5
FIG_ASPECT = 0.23  # height / width of the whole figure
HIGHLIGHT = 'magenta'  # the chosen patch; wrong relations get a dashed frame
RELATION_NAMES = ('LU', 'CU', 'RU', 'LC', 'CC', 'RC', 'LD', 'CD', 'RD')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Visualise predicted vs true patch relations and '
        'distances of a RelViT model on one image.')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        '--patch',
        type=int,
        required=True,
        help='index I of the reference patch (row-major token order)')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument(
        '--img-size',
        type=int,
        default=None,
        help='resize the image to this square size (default: the '
        "backbone's input size)")
    parser.add_argument('--fig-width', type=float, default=15., help='inches')
    parser.add_argument('--dpi', type=int, default=100)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def load_model(config: str, checkpoint: str, device: str):
    """Build the model of ``config`` and load every weight of it.

    Unlike the default non-strict loading, a model weight missing from the
    checkpoint is an error: random heads would draw a random figure.
    """
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.runner.checkpoint import _load_checkpoint
    from mmpretrain.registry import MODELS

    import mmrelvit  # noqa: F401  (weights_only allow-list)
    import mmrelvit.models  # noqa: F401

    cfg = Config.fromfile(config)
    model_cfg = cfg.model
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(model_cfg)
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    state = {
        k[7:] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    missing, _ = model.load_state_dict(state, strict=False)
    if missing:
        raise KeyError(f'{checkpoint} lacks {len(missing)} weights of the '
                       f'model in {config}, e.g. {missing[:5]}')
    return model.to(device).eval()


def find_heads(model) -> dict:
    """``{'relation'|'distance'|'position': (name, head)}`` of the model."""
    from mmrelvit.models.heads.position_head import AbsPositionHead
    from mmrelvit.models.heads.relation_head import PatchRelationHead
    heads = {}
    for name, head in getattr(model, 'aux_heads', {}).items():
        if isinstance(head, PatchRelationHead) and head.task in ('relation',
                                                                 'distance'):
            heads.setdefault(head.task, (name, head))
        elif isinstance(head, AbsPositionHead):
            heads.setdefault('position', (name, head))
    if 'relation' not in heads and 'position' not in heads:
        raise ValueError('The model has neither a relation '
                         'PatchRelationHead nor an AbsPositionHead.')
    return heads


def input_size(model, img_size=None) -> int:
    if img_size is not None:
        return img_size
    backbone = model.backbone
    size = getattr(backbone, 'img_size', None)
    if size is None and hasattr(backbone, 'patch_embed'):
        size = getattr(backbone.patch_embed, 'init_input_size', None)
    if size is None:
        raise ValueError('Cannot tell the input size of the backbone; '
                         'pass --img-size.')
    size = tuple(size) if not isinstance(size, int) else (size, size)
    if size[0] != size[1]:
        raise ValueError(f'Square inputs only, the backbone takes {size}.')
    return size[0]


def load_image(path: str, size: int, channels: int) -> np.ndarray:
    """(size, size) or (size, size, 3) uint8; BGR like mmcv's loading."""
    from PIL import Image
    img = Image.open(path).convert('L' if channels == 1 else 'RGB')
    img = np.array(img.resize((size, size), Image.BILINEAR))
    return img if channels == 1 else np.ascontiguousarray(img[..., ::-1])


@torch.no_grad()
def predict(model, img: np.ndarray, patch: int, device: str) -> dict:
    """Predicted and true relations/distances of every patch to ``patch``.

    Returns:
        dict: ``grid`` (h, w); ``rel_pred``, ``rel_true`` (N,) int class of
        "j is <rel> of I"; ``dist_pred``, ``dist_true`` (N,) float in patch
        units; ``rel_source``, ``dist_source``: the head used.
    """
    from mmrelvit.models.utils.relation_targets import relation_targets
    heads = find_heads(model)
    tensor = torch.from_numpy(img)
    tensor = tensor[None] if tensor.dim() == 2 else tensor.permute(2, 0, 1)
    data = model.data_preprocessor(dict(inputs=[tensor]), training=False)
    _, grids = model.extract_tokens(data['inputs'].to(device))

    def grid_for(name, head):
        return model._select_grids(grids, getattr(head, 'in_index', -1), name)

    some_name, some_head = next(iter(heads.values()))
    x = grid_for(some_name, some_head)
    h, w = x.shape[-2:]
    if h != w:
        raise ValueError(f'RelViT targets need a square grid, got {h}x{w}')
    n = h * w
    if not 0 <= patch < n:
        raise ValueError(f'--patch must be in [0, {n - 1}] for the {h}x{w} '
                         'token grid')
    true = relation_targets(h, device=device)
    # distance targets in [-1, 1] -> patch units
    scale = math.sqrt(2) * (h - 1) / 2 if h > 1 else 0.

    out = dict(
        grid=(h, w),
        rel_true=true['relation'][:, patch].cpu().numpy(),
        dist_true=((true['distance'][:, patch] + 1) * scale).cpu().numpy())
    positions = None
    if 'position' in heads:
        name, head = heads['position']
        positions = head(grid_for(name, head))[0].argmax(0)  # (N, )
    if 'relation' in heads:
        name, head = heads['relation']
        scores = head(grid_for(name, head))[0]  # (9, N, N)
        out['rel_pred'] = scores[:, :, patch].argmax(0).cpu().numpy()
        out['rel_source'] = f'head {name!r}'
    else:
        rel = true['relation'][positions[:, None], positions[patch]]
        out['rel_pred'] = rel[:, 0].cpu().numpy()
        out['rel_source'] = 'from AbsPos'
    if 'distance' in heads:
        name, head = heads['distance']
        scores = head(grid_for(name, head))[0, 0]  # (N, N)
        out['dist_pred'] = ((scores[:, patch] + 1) * scale).cpu().numpy()
        out['dist_source'] = f'head {name!r}'
    elif positions is not None:
        dist = true['distance'][positions, positions[patch]]
        out['dist_pred'] = ((dist + 1) * scale).cpu().numpy()
        out['dist_source'] = 'from AbsPos'
    else:
        out['dist_pred'] = None
        out['dist_source'] = 'no distance or position head'
    return out


def draw(img: np.ndarray, pred: dict, patch: int, out: str, fig_width: float,
         dpi: int) -> tuple:
    """Write the figure; return its (width, height) in pixels."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    h, w = pred['grid']
    size = img.shape[0]
    ph, pw = size / h, size / w
    pi, pj = divmod(patch, w)
    fig = plt.figure(figsize=(fig_width, FIG_ASPECT * fig_width), dpi=dpi)
    axes = fig.subplots(1, PANELS)
    fontsize = max(4., min(9., 0.9 * fig_width * 10 / (PANELS * w)))

    ax = axes[0]
    shown = img if img.ndim == 2 else img[..., ::-1]
    ax.imshow(shown, cmap='gray' if img.ndim == 2 else None)
    for k in range(1, h):
        ax.axhline(k * ph - 0.5, color='w', lw=0.5, alpha=0.7)
    for k in range(1, w):
        ax.axvline(k * pw - 0.5, color='w', lw=0.5, alpha=0.7)
    ax.add_patch(
        Rectangle((pj * pw - 0.5, pi * ph - 0.5),
                  pw,
                  ph,
                  fill=False,
                  ec=HIGHLIGHT,
                  lw=2.5))
    ax.set_title(f'input, {h}x{w} patches, I = {patch}', fontsize=9)

    rel_ok = pred['rel_pred'] == pred['rel_true']
    cmap = plt.get_cmap('tab10')
    for ax, key, title in (
        (axes[1], 'rel_pred', f"predicted relation ({pred['rel_source']}, "
         f'{100 * rel_ok.mean():.0f}% right)'),
        (axes[2], 'rel_true', 'true relation (j is ... of I)'),
    ):
        classes = pred[key].reshape(h, w)
        ax.imshow(classes, cmap=cmap, vmin=0, vmax=9)
        for r in range(h):
            for c in range(w):
                ax.text(
                    c,
                    r,
                    RELATION_NAMES[classes[r, c]],
                    ha='center',
                    va='center',
                    fontsize=fontsize)
                if key == 'rel_pred' and not rel_ok[r * w + c]:
                    ax.add_patch(
                        Rectangle((c - 0.4, r - 0.4),
                                  0.8,
                                  0.8,
                                  fill=False,
                                  ec='k',
                                  lw=1.2,
                                  ls='--'))
        ax.set_title(title, fontsize=9)

    dmax = float(pred['dist_true'].max()) or 1.
    for ax, key, title in (
        (axes[3], 'dist_pred', f"predicted distance ({pred['dist_source']}" +
         (', MAE {:.2f})'.format(
             np.abs(pred['dist_pred'] - pred['dist_true']).mean())
          if pred['dist_pred'] is not None else ')')),
        (axes[4], 'dist_true', 'true distance to I (patches)'),
    ):
        if pred[key] is None:
            ax.text(0.5, 0.5, 'n/a', ha='center', va='center')
        else:
            dist = pred[key].reshape(h, w)
            ax.imshow(dist, cmap='viridis', vmin=0, vmax=dmax)
            for r in range(h):
                for c in range(w):
                    ax.text(
                        c,
                        r,
                        f'{dist[r, c]:.1f}',
                        ha='center',
                        va='center',
                        fontsize=fontsize,
                        color='k' if dist[r, c] > 0.6 * dmax else 'w')
        ax.set_title(title, fontsize=9)

    for ax in axes[1:]:
        ax.add_patch(
            Rectangle((pj - 0.5, pi - 0.5),
                      1,
                      1,
                      fill=False,
                      ec=HIGHLIGHT,
                      lw=2.5))
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.subplots_adjust(
        left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.05)
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return (round(fig_width * dpi), round(FIG_ASPECT * fig_width * dpi))


def main(argv=None):
    args = parse_args(argv)
    model = load_model(args.config, args.checkpoint, args.device)
    size = input_size(model, args.img_size)
    conv = getattr(
        getattr(model.backbone, 'patch_embed', None), 'projection', None)
    channels = getattr(conv, 'in_channels', 3)
    img = load_image(args.image, size, channels)
    pred = predict(model, img, args.patch, args.device)
    width, height = draw(img, pred, args.patch, args.out, args.fig_width,
                         args.dpi)
    print(f'wrote {args.out} ({width}x{height} px): relation '
          f'{100 * np.mean(pred["rel_pred"] == pred["rel_true"]):.1f}% '
          f'right ({pred["rel_source"]}), distance: '
          f'{pred["dist_source"]}')


if __name__ == '__main__':
    main()
