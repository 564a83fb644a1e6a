#!/usr/bin/env bash
# Rebuilds .device/learn/ (ignored; carried to a many-core machine with .device/node.xz) from this checkout:
#   bash scripts/device/prepare-learn.sh [target-dir]
# bench:learn bundled by esbuild into one .mjs (tfjs included, no node_modules; Chromium stubbed out, so write the
# figure back here with `npm run bench:learn -- --from runs.jsonl --figure docs/bench-learn`), tfjs-backend-wasm's
# .wasm files beside it, and run.sh: `bash .device/learn/run.sh <out-dir> <seconds>` runs the full plan on all cores
# but one, appending each run to <out-dir>/runs.jsonl; `--resume` here continues a cut-off file. variant.sh runs one
# arm with other settings (see its header). Runs are deterministic on wasm across machines (the 53 runs made both
# here and on the H200 machine were identical).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${1:-$ROOT/.device/learn}
cd "$ROOT"
mkdir -p "$TARGET"
node_modules/.bin/esbuild scripts/bench-learn.ts --bundle --platform=node --format=esm --target=node20 --minify \
  --outfile="$TARGET/bench-learn.mjs" --alias:playwright-core=./scripts/device/playwright-stub.mjs --log-level=warning \
  "--banner:js=import { createRequire as __nsCreateRequire } from 'node:module'; import { dirname as __nsDirname } from 'node:path'; import { fileURLToPath as __nsToPath } from 'node:url'; const require = __nsCreateRequire(import.meta.url); const __filename = __nsToPath(import.meta.url); const __dirname = __nsDirname(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$TARGET/"
cp scripts/device/run-learn.sh "$TARGET/run.sh"
cp scripts/device/run-learn-variant.sh "$TARGET/variant.sh"
du -sh "$TARGET"
