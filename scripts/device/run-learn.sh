#!/usr/bin/env bash
# bash .device/learn/run.sh <out-dir> <seconds>: bench:learn's full plan on this machine's cores (bundled, wasm)
set -uo pipefail
OUT=$1; SECS=$2
HERE=$(cd "$(dirname "$0")" && pwd)
if command -v xz >/dev/null; then xz -dc "$HERE/../node.xz" > /tmp/node; else python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" "$HERE/../node.xz" > /tmp/node; fi
chmod +x /tmp/node
nproc; /tmp/node -v; uptime
W=$(( $(nproc) - 1 ))
timeout "$SECS" /tmp/node "$HERE/bench-learn.mjs" --json --workers "$W" --runs-out "$OUT/runs.jsonl" --model public/models/nextstate-tiny > "$OUT/summary.json" 2> "$OUT/progress.log"
echo "exit $?"; wc -l "$OUT/runs.jsonl"; tail -3 "$OUT/progress.log"; uptime
