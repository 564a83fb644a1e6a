/**
 * WGSL of the clipped-advantage kernel (METHOD §4 selection + §5 advantages), one workgroup per turn:
 * the workgroup sums O[h,i] over the positions (sequence mode needs the whole turn), then each
 * invocation takes positions i, picks h*(i) and writes w, D, A and l_T on S_i = Sq_i.
 * The special-value rules are those of src/rl/advantages.ts, applied through the bits.
 */
import { floatBitsWgsl } from '../wgsl/float-bits.wgsl.ts';

export const MAX_HINTS = 8;
export const SELECTION_CODES = { sequence: 0, token: 1, fixed: 2 } as const;

export function clippedAdvantageWgsl(k: number): string {
  return /* wgsl */ `
const K: u32 = ${k}u;
const WG: u32 = 256u;
const MAX_HINTS: u32 = ${MAX_HINTS}u;
const STUDENT_STRIDE: u32 = 1u + 2u * K;
const TEACHER_STRIDE: u32 = 2u + 3u * K;
const OUT_STRIDE: u32 = 1u + 4u * K;
const MODE_TOKEN: u32 = ${SELECTION_CODES.token}u;
const MODE_FIXED: u32 = ${SELECTION_CODES.fixed}u;
// Below this, exp() is 0 even in float64: the reference's weight is exactly 0 there.
const F64_EXP_FLOOR: f32 = -745.2;

struct Params { positions: u32, hints: u32, mode: u32, fixedHint: u32, clip: f32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> studentRows: array<u32>;
@group(0) @binding(2) var<storage, read> teacherRows: array<u32>;
@group(0) @binding(3) var<storage, read_write> words: array<u32>;

var<workgroup> sums: array<atomic<u32>, MAX_HINTS>;
var<workgroup> clippedTotal: atomic<u32>;
${floatBitsWgsl}
fn overlapAt(h: u32, i: u32) -> u32 { return teacherRows[(h * params.positions + i) * TEACHER_STRIDE + 1u + 2u * K]; }

// argmax_h O[h,i], ties to the lower h.
fn tokenHint(i: u32) -> u32 {
  var best = 0u;
  var bestOverlap = overlapAt(0u, i);
  for (var h = 1u; h < params.hints; h++) {
    let o = overlapAt(h, i);
    if (o > bestOverlap) { bestOverlap = o; best = h; }
  }
  return best;
}

// l_T − l_old: equal values (−inf included) give 0, NaN gives NaN, an infinite side gives its infinity.
fn deltaBits(lT: u32, lOld: u32) -> u32 {
  if (isNanBits(lT) || isNanBits(lOld)) { return NAN_BITS; }
  if (lT == lOld || ((lT | lOld) & 0x7fffffffu) == 0u) { return 0u; }
  if (!isFiniteBits(lT)) { return lT; }
  if (!isFiniteBits(lOld)) { return lOld ^ 0x80000000u; }
  return bitcast<u32>(bitcast<f32>(lT) - bitcast<f32>(lOld));
}

// clip(d, −C, C) when C > 0, and whether it clipped; NaN passes unclipped.
fn clipDelta(d: u32, c: f32) -> vec2<u32> {
  if (!(c > 0.0) || isNanBits(d)) { return vec2<u32>(d, 0u); }
  let magnitude = d & 0x7fffffffu;
  if (magnitude == POS_INF_BITS || bitcast<f32>(magnitude) > c) { return vec2<u32>((d & 0x80000000u) | bitcast<u32>(c), 1u); }
  return vec2<u32>(d, 0u);
}

// Writes position i under hint h; returns how many deltas it clipped.
fn advantagesAt(i: u32, h: u32) -> u32 {
  let s = i * STUDENT_STRIDE + 1u + K;
  let t = (h * params.positions + i) * TEACHER_STRIDE + 2u + 2u * K;
  let o = i * OUT_STRIDE;
  words[o] = h;
  // softmax of l_old within S: no weights at all if any is NaN or +inf, or all are −inf (as Math.max decides).
  var usable = true;
  var anyFinite = false;
  var mx = LOWEST;
  for (var j = 0u; j < K; j++) {
    let b = studentRows[s + j];
    if (isNanBits(b) || b == POS_INF_BITS) { usable = false; }
    else if (b != NEG_INF_BITS) { anyFinite = true; mx = max(mx, bitcast<f32>(b)); }
  }
  usable = usable && anyFinite;
  var total = 0.0;
  if (usable) {
    for (var j = 0u; j < K; j++) {
      let b = studentRows[s + j];
      if (b != NEG_INF_BITS) { total += exp(bitcast<f32>(b) - mx); }
    }
  }
  var clipped = 0u;
  for (var j = 0u; j < K; j++) {
    let b = studentRows[s + j];
    let lT = teacherRows[t + j];
    var w = 0.0;
    var live = false;
    if (usable && b != NEG_INF_BITS) {
      live = bitcast<f32>(b) - mx > F64_EXP_FLOOR;
      w = exp(bitcast<f32>(b) - mx) / total;
    }
    let d = clipDelta(deltaBits(lT, b), params.clip);
    clipped += d.y;
    var a = 0u;
    if (live) { a = select(bitcast<u32>(bitcast<f32>(d.x) * w), d.x, !isFiniteBits(d.x)); }
    words[o + 1u + j] = bitcast<u32>(w);
    words[o + 1u + K + j] = d.x;
    words[o + 1u + 2u * K + j] = a;
    words[o + 1u + 3u * K + j] = lT;
  }
  return clipped;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid < MAX_HINTS) { atomicStore(&sums[lid], 0u); }
  if (lid == 0u) { atomicStore(&clippedTotal, 0u); }
  workgroupBarrier();
  let T = params.positions;
  for (var h = 0u; h < params.hints; h++) {
    var part = 0u;
    for (var i = lid; i < T; i += WG) { part += overlapAt(h, i); }
    if (part != 0u) { atomicAdd(&sums[h], part); }
  }
  workgroupBarrier();
  // sequence mode: argmax_h Σ_i O[h,i], ties to the lower h.
  var sequenceHint = 0u;
  var bestSum = atomicLoad(&sums[0]);
  for (var h = 1u; h < params.hints; h++) {
    let sum = atomicLoad(&sums[h]);
    if (sum > bestSum) { bestSum = sum; sequenceHint = h; }
  }
  var clipped = 0u;
  for (var i = lid; i < T; i += WG) {
    var h = sequenceHint;
    if (params.mode == MODE_TOKEN) { h = tokenHint(i); }
    if (params.mode == MODE_FIXED) { h = params.fixedHint; }
    clipped += advantagesAt(i, h);
  }
  if (clipped != 0u) { atomicAdd(&clippedTotal, clipped); }
  workgroupBarrier();
  let tail = T * OUT_STRIDE;
  if (lid < params.hints) { words[tail + lid] = atomicLoad(&sums[lid]); }
  if (lid == 0u) { words[tail + params.hints] = atomicLoad(&clippedTotal); }
}
`;
}
