#!/usr/bin/env bash
# The main job on the embedded data, end to end on CPU (~15 min on 2 cores):
#   1. generate the digits data (classification tree + detection scenes),
#   2. RelViT self-supervised upstream on the digits (tools/train.py),
#   3. Mask R-CNN on the digit scenes from that backbone (tools/train.py),
#   4. evaluate it with mmdet's CocoMetric (tools/test.py): bbox mAP, mAP50,
#      segm mAP and per-digit AP on the 200 validation scenes, and paint the
#      predictions (boxes, masks, class, score) of every validation scene.
# The detector trains DEMO_DET_EPOCHS epochs (default 5 = 625 iterations) of
# the 8-epoch digits recipe, with its lr steps scaled (x0.1 at 5/8 and 7/8).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
WORK=${WORK:-work_dirs/demo}
DET_EPOCHS=${DEMO_DET_EPOCHS:-5}
UPSTREAM=configs/relvit/relvit_vit-tiny-p4_1xb64-30e_digits.py
DETECTOR=configs/mask_rcnn/mask-rcnn_vit-tiny-p4-relvit-pre_fpn_1xb8-8e_digits-det.py

# the configs' default data: data/digits/{cls,det} (a no-op when present)
"$PYTHON" tools/dataset_converters/make_digits.py --out data/digits \
    --tasks cls det

echo "== 1/3 RelViT upstream (spatial relations + absolute positions) =="
"$PYTHON" tools/train.py "$UPSTREAM" --work-dir "$WORK/relvit"
upstream_ckpt=$(cat "$WORK/relvit/last_checkpoint")

echo "== 2/3 Mask R-CNN on the digit scenes from the RelViT backbone =="
"$PYTHON" tools/train.py "$DETECTOR" --work-dir "$WORK/mask_rcnn" \
    --cfg-options model.backbone.init_cfg.checkpoint="$upstream_ckpt" \
    train_cfg.max_epochs="$DET_EPOCHS" train_cfg.val_interval="$DET_EPOCHS" \
    param_scheduler.1.end="$DET_EPOCHS" \
    param_scheduler.1.milestones="[$(( (DET_EPOCHS * 5 + 4) / 8 )),$(( (DET_EPOCHS * 7 + 4) / 8 ))]"

echo "== 3/3 evaluation and pictures =="
rm -rf "$WORK/mask_rcnn/test"
"$PYTHON" tools/test.py "$DETECTOR" "$(cat "$WORK/mask_rcnn/last_checkpoint")" \
    --work-dir "$WORK/mask_rcnn/test" --show-dir vis \
    | tee "$WORK/test.log"
"$PYTHON" - "$WORK" <<'PY'
import glob
import json
import os.path as osp
import sys

from PIL import Image

work = sys.argv[1]
line = [x for x in open(osp.join(work, 'test.log'))
        if x.startswith('metrics:')][-1]
m = json.loads(line[len('metrics:'):])
print(f"digit scenes, RelViT-pretrained Mask R-CNN, 200 validation scenes: "
      f"bbox mAP = {m['coco/bbox_mAP']:.3f}, "
      f"mAP50 = {m['coco/bbox_mAP_50']:.3f}, "
      f"segm mAP = {m['coco/segm_mAP']:.3f}")
print('per-digit box AP: ' + ', '.join(
    f"{d}: {m[f'coco/{d}_precision']:.2f}" for d in range(10)))
# mmdet paints each 64x64 scene as ground truth | prediction (score >= 0.3);
# tile the first eight, enlarged 3x, into one picture
pictures = sorted(
    glob.glob(osp.join(work, 'mask_rcnn', 'test', '*', 'vis', '*.png')))
tiles = [Image.open(p).convert('RGB') for p in pictures[:8]]
w, h = tiles[0].size
sheet = Image.new('RGB', (2 * 3 * w + 6, 4 * 3 * h + 12), (255, 255, 255))
for i, tile in enumerate(tiles):
    sheet.paste(tile.resize((3 * w, 3 * h), Image.NEAREST),
                ((i % 2) * (3 * w + 6), (i // 2) * (3 * h + 4)))
sheet.save(osp.join(work, 'predictions.png'))
print(f'{len(pictures)} pictures of the predictions (ground truth | '
      f'prediction) in {osp.dirname(pictures[0])}/; the first eight in '
      f'{osp.join(work, "predictions.png")}')
PY
