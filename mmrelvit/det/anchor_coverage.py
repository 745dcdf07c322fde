"""How well a detector's anchors fit a data set's ground-truth boxes.

An RPN learns a box only through anchors that overlap it: mmdet's
``MaxIoUAssigner`` makes an anchor positive from ``pos_iou_thr`` (0.7 for
Mask R-CNN's RPN) and, with ``match_low_quality``, still gives every box its
best anchor when that reaches ``min_pos_iou`` (0.3). Boxes far from every
anchor are never proposed, whatever the backbone.
"""
import json
import math
from typing import Dict, Sequence, Tuple

import numpy as np
import torch


def best_anchor_ious(anchor_generator,
                     boxes: torch.Tensor,
                     img_shape: Tuple[int, int],
                     chunk: int = 4096) -> torch.Tensor:
    """Best IoU of every box with the anchors of one image size.

    Args:
        anchor_generator (AnchorGenerator | dict): mmdet anchor generator,
            or its config (e.g. ``model.rpn_head.anchor_generator``).
        boxes (Tensor): Ground-truth boxes (G, 4), ``x1, y1, x2, y2`` in
            input-image pixels.
        img_shape (tuple[int]): ``(h, w)`` of the network input; feature
            map ``i`` is ``ceil(h / stride_i) x ceil(w / stride_i)``.
        chunk (int): Boxes per IoU block (bounds the memory).

    Returns:
        Tensor: (G, ) the largest IoU of each box with any anchor.
    """
    from mmdet.registry import TASK_UTILS
    from mmdet.structures.bbox import bbox_overlaps
    if isinstance(anchor_generator, dict):
        anchor_generator = TASK_UTILS.build(anchor_generator)
    h, w = img_shape
    sizes = [(math.ceil(h / sh), math.ceil(w / sw))
             for sw, sh in anchor_generator.strides]
    anchors = torch.cat(anchor_generator.grid_priors(sizes, device='cpu'))
    boxes = torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4)
    best = [
        bbox_overlaps(part, anchors).amax(1) for part in boxes.split(chunk)
    ]
    return torch.cat(best) if best else boxes.new_zeros(0)


def coco_anchor_coverage(anchor_generator,
                         ann_file: str,
                         img_shape: Sequence[int] = None) -> Dict:
    """Best anchor IoU of every box of a COCO json, with summary figures.

    Args:
        anchor_generator (AnchorGenerator | dict): See
            :func:`best_anchor_ious`.
        ann_file (str): COCO json; boxes are taken at their annotated size,
            i.e. for pipelines that do not resize (the digit scenes are
            generated at the input size).
        img_shape (Sequence[int], optional): ``(h, w)`` for every image
            instead of each image's own ``height`` / ``width``.

    Returns:
        dict: ``ious`` (np.ndarray, one per box), ``num_boxes``,
        ``median``, ``min`` and ``frac_ge`` (share of boxes whose best IoU
        reaches 0.3, 0.5 and 0.7).
    """
    with open(ann_file) as f:
        coco = json.load(f)
    shapes = {
        im['id']: tuple(img_shape) if img_shape else
        (im['height'], im['width'])
        for im in coco['images']
    }
    per_shape: Dict[tuple, list] = {}
    for ann in coco['annotations']:
        x, y, bw, bh = ann['bbox']
        per_shape.setdefault(shapes[ann['image_id']],
                             []).append([x, y, x + bw, y + bh])
    ious = np.concatenate([
        best_anchor_ious(anchor_generator, torch.tensor(b), shape).numpy()
        for shape, b in per_shape.items()
    ]) if per_shape else np.zeros(0)
    if not len(ious):
        raise ValueError(f'{ann_file}: no annotations')
    return dict(
        ious=ious,
        num_boxes=len(ious),
        median=float(np.median(ious)),
        min=float(ious.min()),
        frac_ge={t: float((ious >= t).mean())
                 for t in (0.3, 0.5, 0.7)})
