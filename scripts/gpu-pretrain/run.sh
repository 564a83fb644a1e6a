#!/usr/bin/env bash
# bash run.sh <minutes> <out-dir>   (prepare-device.sh copies this next to the python scripts, the init checkpoint,
# the parity fixture and the corpus, in .device/train/)
# 1. parity of the CUDA graph (TF32 off) against the tfjs figures: sdpa attention, else the manual one; stops when
#    neither holds. 2. pretrain.py for <minutes> of training wall time. Writes into <out-dir>: weights.safetensors,
#    optimizer.safetensors, progress.json, train.log, parity.json.
# Settings by environment: LR (default 1e-3), BATCH_TOKENS (65536), WARMUP_STEPS (100), PYTHON (python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MINUTES=${1:?usage: run.sh <minutes> <out-dir>}
OUT=${2:?usage: run.sh <minutes> <out-dir>}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
export PYTHONDONTWRITEBYTECODE=1
nvidia-smi --query-gpu=name,memory.total,utilization.gpu --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'

DEVICE=$("$PY" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')
ATTENTION=manual
if [ "$DEVICE" = cuda ] && "$PY" "$HERE/parity.py" "$HERE/parity" --model "$HERE/init/nextstate-tiny" --device cuda --attention sdpa > "$OUT/parity.json"; then
  ATTENTION=sdpa
elif ! "$PY" "$HERE/parity.py" "$HERE/parity" --model "$HERE/init/nextstate-tiny" --device "$DEVICE" --attention manual >> "$OUT/parity.json"; then
  cat "$OUT/parity.json"
  echo "parity failed for both attention paths: not training" >&2
  exit 3
fi
cat "$OUT/parity.json"

"$PY" -u "$HERE/pretrain.py" --init "$HERE/init/nextstate-tiny" --corpus "$HERE"/corpus/train-*.bin.xz \
  --heldout "$HERE/corpus/heldout.bin" --minutes "$MINUTES" --lr "${LR:-1e-3}" --batch-tokens "${BATCH_TOKENS:-65536}" \
  --warmup-steps "${WARMUP_STEPS:-100}" --attention "$ATTENTION" --out "$OUT" 2>&1 | tee "$OUT/train.log"
exit "${PIPESTATUS[0]}"
