#!/usr/bin/env bash
# Rebuilds .device/bench/ (ignored; it travels to the GPU machine as a carried path) from this checkout:
#   bash scripts/device/prepare-bench.sh [target-dir]      (default: .device/bench of this checkout)
# - the Node benchmark entries bundled by esbuild into self-contained .mjs files (tfjs included, no node_modules);
#   the `webgpu` package stays out: the bundles load Dawn from $DAWN_NODE
# - dawn.node.xz: Dawn for Node's binary (npm webgpu, linux-x64), xz-compressed
# - run.sh: the device's one command (see its header), and probe-adapter.cjs, which it runs first
# The node binary itself is .device/node.xz (put there by the lead), and the Vulkan/EGL loaders are .gl/*.deb
# (device README recipe); neither is made here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${1:-$ROOT/.device/bench}
cd "$ROOT"
ESBUILD=node_modules/.bin/esbuild
DAWN=node_modules/webgpu/dist/linux-x64/dawn.node
[ -x "$ESBUILD" ] || { echo "prepare-bench: $ESBUILD missing (npm ci first)" >&2; exit 1; }
[ -f "$DAWN" ] || { echo "prepare-bench: $DAWN missing (npm ci first)" >&2; exit 1; }
mkdir -p "$TARGET"
rm -f "$TARGET"/*.mjs
# ESM output: CommonJS parts of the bundle (tfjs's node platform) call require, so give them one
"$ESBUILD" scripts/bench-kernels-node.ts scripts/bench-model.ts --bundle --splitting --platform=node --format=esm \
  --target=node20 --minify --outdir="$TARGET" --out-extension:.js=.mjs --external:webgpu --log-level=warning \
  "--banner:js=import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);"
if [ ! -f "$TARGET/dawn.node.xz" ] || [ "$DAWN" -nt "$TARGET/dawn.node.xz" ]; then
  xz -9e -T0 -c "$DAWN" > "$TARGET/dawn.node.xz.tmp" && mv "$TARGET/dawn.node.xz.tmp" "$TARGET/dawn.node.xz"
fi
cp scripts/device/run-bench.sh "$TARGET/run.sh"
cp scripts/device/probe-adapter.cjs "$TARGET/probe-adapter.cjs"
du -sh "$TARGET"
ls -la "$TARGET"
