#!/usr/bin/env bash
# bash .device/learn/variant.sh <out> <seconds> <name> <arm> [bench:learn args...]: one arm on seeds 1-20 on all cores but one
# (made by scripts/device/prepare-learn.sh); the runs file, summary and progress log come back as <out>/r.tar.gz
set -uo pipefail
OUT=$1; SECS=$2; NAME=$3; ARM=$4; shift 4
HERE=$(cd "$(dirname "$0")" && pwd)
xz -dc "$HERE/../node.xz" > /tmp/node 2>/dev/null || python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" "$HERE/../node.xz" > /tmp/node
chmod +x /tmp/node
mkdir -p /tmp/r
timeout "$SECS" /tmp/node "$HERE/bench-learn.mjs" --json --workers "$(( $(nproc) - 1 ))" --arms "$ARM" --seeds "$(seq -s, 1 20)" --model public/models/nextstate-tiny "$@" \
  --runs-out /tmp/r/$NAME.jsonl > /tmp/r/$NAME.json 2> /tmp/r/$NAME.err
wc -l /tmp/r/*.jsonl; tail -2 /tmp/r/$NAME.err
tar czf "$OUT/r.tar.gz" -C /tmp/r .
