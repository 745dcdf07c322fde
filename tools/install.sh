#!/usr/bin/env bash
# Create (or bring up to date) the mmrelvit virtual environment.
#
# Idempotent: every step is a pinned `pip install` that does nothing when the
# pin is already satisfied, and mmcv's slow source build is reused from pip's
# wheel cache. The last step verifies every pin and the compiled ops.
#
# Environment variables:
#   MMRELVIT_VENV         where the environment lives (default: <repo>/.venv)
#   PYTHON                interpreter used to create it (default: python3)
#   MMRELVIT_TORCH_SPEC   torch/torchvision requirement(s) to install instead
#                         of requirements/torch.txt, e.g.
#                         "torch==2.5.1 torchvision==0.20.1"
#   MMRELVIT_TORCH_INDEX  index to take them from, e.g.
#                         https://download.pytorch.org/whl/cu121
#   MAX_JOBS              parallel compile jobs for mmcv (default: nproc)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQ="$REPO/requirements"
VENV=${MMRELVIT_VENV:-"$REPO/.venv"}
PYTHON=${PYTHON:-python3}
start=$(date +%s)

log() { printf '[install %4ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# This machine's pip configuration prefers a local CPU-only torch wheel, with
# which the registry's torchvision cannot import. Ignore it on purpose and
# talk to the package index directly.
pip_() {
    env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
        PIP_CONFIG_FILE=/dev/null "$PY" -m pip "$@"
}

if [ -n "${MMRELVIT_TORCH_SPEC:-}" ]; then
    read -r -a torch_reqs <<< "$MMRELVIT_TORCH_SPEC"
else
    torch_reqs=(-r "$REQ/torch.txt")
fi
torch_index=()
if [ -n "${MMRELVIT_TORCH_INDEX:-}" ]; then
    torch_index=(--index-url "$MMRELVIT_TORCH_INDEX")
fi
log "torch: ${MMRELVIT_TORCH_SPEC:-requirements/torch.txt}" \
    "from ${MMRELVIT_TORCH_INDEX:-the default index}"
pip_ install -q "${torch_index[@]}" "${torch_reqs[@]}"

# Everything after torch is installed under constraints that freeze the
# torch build just installed, so no dependency can swap it.
constraints="$VENV/mmrelvit-constraints.txt"
"$PY" - "$constraints" <<'EOF'
import sys
from importlib.metadata import version
with open(sys.argv[1], 'w') as f:
    for name in ('torch', 'torchvision'):
        f.write(f'{name}=={version(name)}\n')
EOF

log "build requirements"
pip_ install -q -c "$constraints" -r "$REQ/build.txt"

# Debug info (-g, inherited from the interpreter's build flags) is useless
# to users and doubles the compile time. CFLAGS in the environment replaces
# the interpreter's flags (-O3 among them) instead of extending them, so pass
# those flags on with -g0 appended (the last -g wins). The build log keeps
# the compiler commands for inspection.
mmcv_build_log="$VENV/mmcv-build.log"
py_cflags=$("$PY" -c \
    'import sysconfig; print(sysconfig.get_config_var("CFLAGS"))')
mmcv_() {
    CFLAGS="$py_cflags ${CFLAGS:-} -g0" CXXFLAGS="$py_cflags ${CXXFLAGS:-} -g0" \
        MMCV_WITH_OPS=1 \
        MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        pip_ install -v --no-build-isolation -c "$constraints" "$@" \
        -r "$REQ/mmcv.txt" > "$mmcv_build_log" 2>&1 || {
            tail -n 40 "$mmcv_build_log" >&2
            log "mmcv install failed; full log: $mmcv_build_log"
            exit 1
        }
}
log "mmcv with ops (a cold build takes ~8 min on 2 cores; then pip" \
    "reuses the wheel; log: $mmcv_build_log)"
mmcv_
if ! "$PY" -c 'import mmcv.ops' 2>/dev/null; then
    # A cached wheel built without ops or against another torch: rebuild.
    log "mmcv.ops does not import; rebuilding mmcv from source without cache"
    mmcv_ --no-cache-dir --no-deps --force-reinstall
fi

log "OpenMMLab stack, test tools and mmrelvit (editable)"
pip_ install -q --no-build-isolation -c "$constraints" -c "$REQ/build.txt" \
    -r "$REQ/runtime.txt" -r "$REQ/det.txt" -r "$REQ/seg.txt" \
    -r "$REQ/tests.txt" -e "$REPO[det,seg,tests]"

log "verifying pins and compiled ops"
"$PY" "$REPO/tools/misc/check_env.py" --requirements "$REQ" \
    ${MMRELVIT_TORCH_SPEC:+--skip torch.txt}
log "done: $VENV"
