#!/usr/bin/env bash
# The GPU benchmarks on the device machine, from the repo root:  bash .device/bench/run.sh <out-dir>
# (.device/bench is made by scripts/device/prepare-bench.sh; carry .device and .gl.)
# Prints what Vulkan drivers are there, unpacks the loaders (.gl/*.deb), unpacks node and Dawn to /tmp, then runs
# under `timeout` (about 4 minutes in all): bench:kernels on Dawn, bench:model --shape smollm2-135m, the tiny
# preset and --shape qwen2.5-0.5b on Dawn. Writes kernels.json, model-*.json, bench.log and summary.txt to <out-dir>.
# Local check on a machine without a GPU (nothing unpacked into /):
#   BENCH_ICD=/usr/lib/chromium/vk_swiftshader_icd.json BENCH_QUICK=1 bash .device/bench/run.sh /tmp/out
# BENCH_ICD: use this Vulkan ICD (and the libvulkan beside it, if any) instead of the .gl loaders and the
# NVIDIA one; BENCH_QUICK=1: small sizes (kernels V=1024 T=16, tiny model only, one repetition).
set -u
OUT_DIR=${1:?usage: bash .device/bench/run.sh <out-dir>}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
LOG=$OUT_DIR/bench.log
: > "$LOG"
log() { echo "$@" | tee -a "$LOG"; }
# each step's output goes to the log; the last lines of a failing step to the terminal too
step() {
  local name=$1 limit=$2; shift 2
  log "== $name (timeout ${limit}s): $(basename "$2") ${*:3}"
  local t0=$SECONDS
  timeout --kill-after=5 "$limit" "$@" >>"$LOG" 2>&1
  local rc=$?
  log "== $name: exit $rc after $((SECONDS - t0)) s"
  [ $rc -eq 0 ] || tail -n 15 "$LOG"
  [ "$name" = adapter ] && grep -E '^(\{"info"|Dawn:)' "$LOG" | tail -n 1 | cut -c1-900
  return $rc
}
# xz, or Python's lzma where xz is missing
unxz_to() {
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

log "== $(date -u +%FT%TZ) $(uname -srm)"
# what the machine has, on the terminal too (one run should tell why Dawn finds or misses the GPU)
{ nvidia-smi -L && nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.mem --format=csv; } 2>&1 | tee -a "$LOG"
for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do log "-- ls $d:"; ls -la "$d" 2>&1 | tee -a "$LOG"; done
log "-- libvulkan before: $(ldconfig -p 2>/dev/null | grep -c libvulkan) entries"

if [ -n "${BENCH_ICD:-}" ]; then
  export VK_ICD_FILENAMES=$BENCH_ICD VK_DRIVER_FILES=$BENCH_ICD
  [ -e "$(dirname "$BENCH_ICD")/libvulkan.so.1" ] && export LD_LIBRARY_PATH=$(dirname "$BENCH_ICD")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  log "-- local ICD $BENCH_ICD"
else
  if ls "$ROOT"/.gl/*.deb >/dev/null 2>&1; then
    for f in "$ROOT"/.gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    log "(no .gl/*.deb: carry .gl)"
  fi
  log "-- libvulkan after: $(ldconfig -p 2>/dev/null | grep libvulkan | head -1)"
  nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  # the loader finds no NVIDIA driver by itself (the device README): name the driver's own ICD
  if ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1 && [ -f "$nv" ]; then
    export VK_DRIVER_FILES=$nv VK_ICD_FILENAMES=$nv __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    log "-- VK_DRIVER_FILES=$nv"
  fi
  [ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

NODE=/tmp/bench-node/node
mkdir -p /tmp/bench-node
[ -x "$NODE" ] || { unxz_to "$ROOT/.device/node.xz" "$NODE.tmp" && chmod +x "$NODE.tmp" && mv "$NODE.tmp" "$NODE"; } || { log "cannot unpack .device/node.xz"; exit 1; }
export DAWN_NODE=/tmp/bench-node/dawn.node
[ -f "$DAWN_NODE" ] || { unxz_to "$HERE/dawn.node.xz" "$DAWN_NODE.tmp" && mv "$DAWN_NODE.tmp" "$DAWN_NODE"; } || { log "cannot unpack dawn.node.xz"; exit 1; }
log "-- node $("$NODE" -v), dawn.node $(stat -c %s "$DAWN_NODE") bytes"

# the adapter Dawn picks, its features and limits (the benchmarks name it again)
step adapter 30 "$NODE" "$HERE/probe-adapter.cjs"
adapter_rc=$?
grep -q '"fallback":true' "$LOG" && [ -z "${BENCH_ICD:-}" ] && log "WARNING: Dawn picked a fallback (software) adapter: the NVIDIA Vulkan driver was not found"

cd "$OUT_DIR"
if [ $adapter_rc -ne 0 ]; then
  log "no WebGPU adapter: benchmarks skipped"
elif [ "${BENCH_QUICK:-0}" = 1 ]; then
  step kernels 300 "$NODE" "$HERE/bench-kernels-node.mjs" --out kernels.json --reps 1 --V 1024 --T 16
  step model-tiny 600 "$NODE" "$HERE/bench-model.mjs" --dawn --out model-tiny.json --repeats 1 --context 16 --decode 4
else
  # 70 + 55 + 55 + 55 s at most: the four stay inside 4 minutes with the unpacking
  step kernels 70 "$NODE" "$HERE/bench-kernels-node.mjs" --out kernels.json --reps 5
  step model-smollm2-135m 55 "$NODE" "$HERE/bench-model.mjs" --dawn --out model-smollm2-135m.json --shape smollm2-135m
  step model-tiny 55 "$NODE" "$HERE/bench-model.mjs" --dawn --out model-tiny.json
  step model-qwen2.5-0.5b 55 "$NODE" "$HERE/bench-model.mjs" --dawn --out model-qwen2.5-0.5b.json --shape qwen2.5-0.5b
fi

# the figures that matter, one line each
python3 - "$OUT_DIR" > summary.txt 2>&1 <<'PY'
import json, os, sys
d = sys.argv[1]
def load(name):
    p = os.path.join(d, name)
    return json.load(open(p)) if os.path.exists(p) else None
k = load('kernels.json')
if k:
    a = k['adapter']
    print(f"adapter: {a['vendor']} / {a['architecture']} / {a['description']} (fallback {a['isFallbackAdapter']}); layout {k['layout']}")
    if k.get('datasheet'): print(f"datasheet: {k['datasheet']['name']} {k['datasheet']['memory_bandwidth_bytes_per_s']/1e12} TB/s, fp32 {k['datasheet']['fp32_flop_per_s']/1e12} TFLOP/s")
    for r in k['rows']:
        print(f"kernels V={r['V']} T={r['T']}: fused {r['fused_ms']:.2f} ms, tfjs ops {r['tfjs_ops_ms']:.2f} ms (x{r['speedup_vs_tfjs']:.1f}), copy {r['copy_gbps']:.4g} GB/s, fused {r['fused_gbps']:.4g} GB/s = {r['fraction_of_copy_bandwidth']:.2f} of copy, agree tfjs {r['tfjs_ops_agree']} ref {r['reference_agrees']}")
    for f in k.get('datasheet_fractions') or []:
        print(f"kernels V={f['V']}: fused {f['fused_fraction_of_datasheet_bandwidth']:.3f}, copy {f['copy_fraction_of_datasheet_bandwidth']:.3f} of datasheet bandwidth")
else:
    print('kernels: no result')
keys = ['params', 'decode_tokens_per_s', 'decode_speedup_vs_recompute', 'score_tokens_per_s', 'train_step_ms', 'train_error',
        'prefill_tokens_per_s', 'copy_bandwidth_bytes_per_s', 'decode_fraction_of_bandwidth_limit', 'decode_fraction_of_datasheet_bandwidth',
        'teacher_score_ms', 'matmul_gflop_per_s', 'matmul_4096_gflop_per_s', 'matmul_4096_fraction_of_datasheet_fp32', 'lora_update_ms', 'lora_update_error', 'peak_tensor_bytes']
for name in ['model-tiny.json', 'model-smollm2-135m.json', 'model-qwen2.5-0.5b.json']:
    m = load(name)
    print(f"{name}: " + ('no result' if m is None else ', '.join(f"{x}={m[x]}" for x in keys if x in m)))
PY
log "== summary"
tee -a "$LOG" < summary.txt
log "== files in $OUT_DIR: $(ls "$OUT_DIR" | tr '\n' ' ')"
