#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without CUDA, GPUS CPU processes train over gloo.
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

# The rendezvous server listens on PORT of node 0: on a busy port (another
# run) torchrun ends in a long c10d traceback, so check before starting.
if [ "$NODE_RANK" = "0" ]; then
    FREE=$("$PYTHON" - "$PORT" <<'PY'
import errno
import socket
import sys

with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(('', int(sys.argv[1])))
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            raise
        # a port free right now, to suggest
        with socket.socket() as free:
            free.bind(('', 0))
            print(free.getsockname()[1])
PY
) || exit 1
    if [ -n "$FREE" ]; then
        echo "dist_train.sh: port $PORT is already in use (another" \
            "distributed run?); choose a free port with PORT, e.g." \
            "PORT=$FREE $0 $*" >&2
        exit 1
    fi
fi

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
