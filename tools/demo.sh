#!/usr/bin/env bash
# The main job on the embedded data, end to end on CPU:
#   1. generate the digits data (classification tree + detection scenes),
#   2. RelViT self-supervised upstream on the digits (tools/train.py),
#   3. Mask R-CNN on the digit scenes from that backbone (tools/train.py),
#   4. evaluate it with mmdet's CocoMetric (tools/test.py): bbox and segm mAP.
# The detector is a smoke run sized for minutes on 2 CPU cores: 160 training
# and 40 validation scenes of its own, DEMO_DET_EPOCHS (default 2) of the 12
# epochs, so expect an mAP near 0. The full digits recipe is
#   python tools/train.py configs/mask_rcnn/<config>_digits-det.py
# on the 1,000-scene set (hours of CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
WORK=${WORK:-work_dirs/demo}
DET_EPOCHS=${DEMO_DET_EPOCHS:-2}
UPSTREAM=configs/relvit/relvit_vit-tiny-p4_1xb64-30e_digits.py
DETECTOR=configs/mask_rcnn/mask-rcnn_vit-tiny-p4-relvit-pre_fpn_1xb8-1x_digits-det.py

"$PYTHON" tools/dataset_converters/make_digits.py --out data/digits --tasks cls
"$PYTHON" tools/dataset_converters/make_digits.py --out "$WORK/data" \
    --tasks det --det-scenes 160 40
SCENES="$WORK/data/det/"
ON_SCENES=(train_dataloader.dataset.data_root="$SCENES"
           val_dataloader.dataset.data_root="$SCENES"
           test_dataloader.dataset.data_root="$SCENES"
           val_evaluator.ann_file="${SCENES}annotations/instances_val.json"
           test_evaluator.ann_file="${SCENES}annotations/instances_val.json")

echo "== 1/3 RelViT upstream (spatial relations + absolute positions) =="
"$PYTHON" tools/train.py "$UPSTREAM" --work-dir "$WORK/relvit"
upstream_ckpt=$(cat "$WORK/relvit/last_checkpoint")

echo "== 2/3 Mask R-CNN on the digit scenes from the RelViT backbone =="
"$PYTHON" tools/train.py "$DETECTOR" --work-dir "$WORK/mask_rcnn" \
    --cfg-options model.backbone.init_cfg.checkpoint="$upstream_ckpt" \
    train_cfg.max_epochs="$DET_EPOCHS" "${ON_SCENES[@]}"

echo "== 3/3 evaluation =="
"$PYTHON" tools/test.py "$DETECTOR" "$(cat "$WORK/mask_rcnn/last_checkpoint")" \
    --work-dir "$WORK/mask_rcnn/test" --cfg-options "${ON_SCENES[@]}" \
    | tee "$WORK/test.log"
"$PYTHON" - "$WORK/test.log" <<'PY'
import json
import sys
line = [x for x in open(sys.argv[1]) if x.startswith('metrics:')][-1]
m = json.loads(line[len('metrics:'):])
print(f"digit scenes, RelViT-pretrained Mask R-CNN (smoke schedule): "
      f"bbox mAP = {m['coco/bbox_mAP']:.3f}, segm mAP = {m['coco/segm_mAP']:.3f}")
PY
