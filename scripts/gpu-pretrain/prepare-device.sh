#!/usr/bin/env bash
# bash scripts/gpu-pretrain/prepare-device.sh [DEST (.device/train)] [TOKENS (200000000)]
# Builds the device package for GPU pretraining from this checkout: the python scripts and run.sh, the current
# public/models/nextstate-tiny as the init checkpoint, the tfjs parity figures for it, TOKENS training tokens of
# the current corpus in SHARDS (default 2, one per core) xz-compressed dumps of different seeds (1001, 1002, …),
# and a 50k-token heldout dump. Built in DEST.new, then swapped in. Then: bash DEST/run.sh <minutes> <out-dir>.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
DEST=${1:-.device/train}
TOKENS=${2:-200000000}
SHARDS=${SHARDS:-2}
started=$(date +%s)
rm -rf "$DEST.new"
mkdir -p "$DEST.new/corpus" "$DEST.new/init" "$DEST.new/parity"
cp scripts/gpu-pretrain/{pretrain.py,model.py,corpus.py,safetensors_io.py,parity.py,run.sh} "$DEST.new/"
cp public/models/nextstate-tiny.json public/models/nextstate-tiny.safetensors "$DEST.new/init/"

pids=()
per=$(( (TOKENS + SHARDS - 1) / SHARDS ))
for i in $(seq 1 "$SHARDS"); do
  ( npx tsx scripts/dump-corpus.ts --tokens "$per" --seed $((1000 + i)) --out "$DEST.new/corpus/train-$i.bin" \
    && xz -9 -T1 "$DEST.new/corpus/train-$i.bin" ) &
  pids+=($!)
done
npx tsx scripts/dump-corpus.ts --split heldout --tokens 50000 --seed 1 --out "$DEST.new/corpus/heldout.bin"
npx tsx scripts/gpu-pretrain/parity.ts --fixture "$DEST.new/parity" --model "$DEST.new/init/nextstate-tiny" --seed 7
for pid in "${pids[@]}"; do wait "$pid"; done

rm -rf "$DEST"
mv "$DEST.new" "$DEST"
du -ab "$DEST" | sort -n | tail -n 20
echo "prepared $DEST in $(( $(date +%s) - started )) s: $(du -sh "$DEST" | cut -f1); with everything beside it: $(du -sh "$(dirname "$DEST")" | cut -f1)"
