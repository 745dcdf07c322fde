#!/usr/bin/env bash
# The main job on the embedded data: generate the digits, train a small
# supervised ViT with tools/train.py and print its top-1 with tools/test.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
WORK=${WORK:-work_dirs/demo}
CFG=configs/vit/vit-tiny-p4_1xb64-30e_digits.py

"$PYTHON" tools/dataset_converters/make_digits.py --out data/digits
"$PYTHON" tools/train.py "$CFG" --work-dir "$WORK/vit"
"$PYTHON" tools/test.py "$CFG" "$(cat "$WORK/vit/last_checkpoint")" \
    --work-dir "$WORK/vit/test" | tee "$WORK/vit/test.log"
echo "supervised ViT on digits: top-1 = $(sed -n \
    's/.*"accuracy\/top1": \([0-9.]*\).*/\1/p' "$WORK/vit/test.log")"
