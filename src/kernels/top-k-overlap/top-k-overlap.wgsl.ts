/**
 * WGSL of the top-k overlap kernel (METHOD §4): one workgroup per logits row, one pass over the row.
 *
 * Each invocation streams a strided slice of the row (neighbouring invocations read neighbouring words),
 * keeping an online log-sum-exp (running max and sum) and its own sorted top-k in registers; a float
 * threshold (the k-th entry) filters the rare elements that need the exact order key. The row then merges
 * the log-sum-exps and extracts the k best of all private lists, one per round (../wgsl/workgroup-reduce).
 * The teacher variant also counts O[h,i] against the student's ids and gathers its log-probs there.
 * Output rows (u32 words; floats as their bits) are laid out as in ./layout.ts.
 */
import { floatBitsWgsl } from '../wgsl/float-bits.wgsl.ts';
import { reduceCode } from '../wgsl/workgroup-reduce.wgsl.ts';
import type { RowLayout } from '../gpu/capabilities.ts';

export interface TopKShaderOptions {
  /** k (1..32), already capped at the vocabulary size. */
  k: number;
  /** Read the row as vec4<f32> (needs vocab % 4 == 0). */
  vec4: boolean;
  /** Teacher rows: add the overlap count and the gather at the student's top-k (binding 3). */
  teacher: boolean;
  layout: RowLayout;
}

const vec4Scan = /* wgsl */ `
fn scanRow(row: u32) -> LseParts {
  var m = LOWEST;
  var s = 0.0;
  var flags = 0u;
  // Float form of the k-th private entry; "open" while that entry is empty, NaN or −inf (any number beats it).
  var threshold = LOWEST;
  var open = true;
  let n = params.vocab / 4u;
  let base = row * n;
  for (var block = lid; block < n; block += WG * SUM_BLOCK) {
    // Four partial sums per block, folded into s after it: short f32 sums keep the log-sum-exp accurate.
    var acc = vec4<f32>(0.0);
    let end = min(n, block + WG * SUM_BLOCK);
    for (var e = block; e < end; e += WG) {
      let v = logits[base + e];
      let b = bitcast<vec4<u32>>(v);
      let finite = (b & vec4<u32>(POS_INF_BITS)) != vec4<u32>(POS_INF_BITS);
      var x = v;
      var special = false;
      if (all(finite)) {
        flags = flags | FLAG_FINITE;
      } else {
        flags = flags | elementFlags(b.x) | elementFlags(b.y) | elementFlags(b.z) | elementFlags(b.w);
        x = select(vec4<f32>(LOWEST), v, finite);
        special = true;
      }
      let mx = max(max(x.x, x.y), max(x.z, x.w));
      // >= keeps ties and flushed denormals for the exact key comparison; specials always take it.
      let maybe = mx >= threshold || open || special;
      if (mx > m) {
        let rescale = exp(max(m - mx, EXP_FLOOR));
        s = s * rescale;
        acc = acc * rescale;
        m = mx;
      }
      acc += exp(max(x - vec4<f32>(m), vec4<f32>(EXP_FLOOR)));
      if (maybe) {
        let keys = sortKeys(b);
        let id = e * 4u;
        offer(keys.x, id);
        offer(keys.y, id + 1u);
        offer(keys.z, id + 2u);
        offer(keys.w, id + 3u);
        let last = keyBits(topKey[K - 1u]);
        open = !isFiniteBits(last);
        threshold = select(bitcast<f32>(last), LOWEST, open);
      }
    }
    s += (acc.x + acc.y) + (acc.z + acc.w);
  }
  return LseParts(vec2<f32>(m, s), flags);
}

fn logitBits(row: u32, id: u32) -> u32 {
  let i = row * params.vocab + id;
  return bitcast<u32>(logits[i / 4u][i % 4u]);
}
`;

const scalarScan = /* wgsl */ `
fn scanRow(row: u32) -> LseParts {
  var m = LOWEST;
  var s = 0.0;
  var flags = 0u;
  let base = row * params.vocab;
  for (var block = lid; block < params.vocab; block += WG * SUM_BLOCK) {
    var acc = 0.0;
    let end = min(params.vocab, block + WG * SUM_BLOCK);
    for (var e = block; e < end; e += WG) {
      let b = bitcast<u32>(logits[base + e]);
      let f = elementFlags(b);
      flags = flags | f;
      let x = select(LOWEST, bitcast<f32>(b), f == FLAG_FINITE);
      if (x > m) {
        let rescale = exp(max(m - x, EXP_FLOOR));
        s = s * rescale;
        acc = acc * rescale;
        m = x;
      }
      acc += exp(max(x - m, EXP_FLOOR));
      let key = sortKey(b);
      if (key > topKey[K - 1u]) { offer(key, e); }
    }
    s += acc;
  }
  return LseParts(vec2<f32>(m, s), flags);
}

fn logitBits(row: u32, id: u32) -> u32 {
  return bitcast<u32>(logits[row * params.vocab + id]);
}
`;

/** Writes the teacher-only words: O[h,i] and the log-probs at the student's top-k ids. */
const teacherEpilogue = /* wgsl */ `
  let studentRow = (row % params.positions) * STUDENT_STRIDE;
  for (var j = lid; j < K; j += WG) {
    let id = studentRows[studentRow + 1u + j];
    rowsOut[out + 2u + 2u * K + j] = logProbBits(logitBits(row, id), lse);
  }
  if (lid == 0u) {
    var overlap = 0u;
    for (var a = 0u; a < K; a++) {
      let id = studentRows[studentRow + 1u + a];
      for (var b = 0u; b < K; b++) { overlap += select(0u, 1u, winnerIds[b] == id); }
    }
    rowsOut[out + 1u + 2u * K] = overlap;
  }
`;

export function topKOverlapWgsl(o: TopKShaderOptions): string {
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > 32) throw new RangeError(`topKOverlapWgsl: k must be 1..32, got ${o.k}`);
  const reduce = reduceCode(o.layout.reduce);
  return /* wgsl */ `${reduce.enable}
const K: u32 = ${o.k}u;
const WG: u32 = ${o.layout.workgroupSize}u;
const STUDENT_STRIDE: u32 = 1u + 2u * K;
const TEACHER_STRIDE: u32 = 2u + 3u * K;
const OUT_STRIDE: u32 = ${o.teacher ? 'TEACHER_STRIDE' : 'STUDENT_STRIDE'};
const SUM_BLOCK: u32 = 64u;

struct Params { rows: u32, vocab: u32, positions: u32, outRowOffset: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<${o.vec4 ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read_write> rowsOut: array<u32>;
${o.teacher ? '@group(0) @binding(3) var<storage, read> studentRows: array<u32>;' : ''}

var<private> lid: u32;
var<private> topKey: array<u32, K>;
var<private> topId: array<u32, K>;
var<private> winnerIds: array<u32, K>;
${floatBitsWgsl}
${reduce.code}

// Inserts into the private list, kept sorted best first: one compare-and-swap per slot with constant
// indices only (the list stays in registers). The entry pushed down keeps moving, so equal keys compare
// by id; a key below the last entry changes nothing.
fn offer(key: u32, id: u32) {
  var k = key;
  var i = id;
  for (var j = 0u; j < K; j++) {
    let kj = topKey[j];
    let ij = topId[j];
    let better = k > kj || (k == kj && i < ij);
    topKey[j] = select(kj, k, better);
    topId[j] = select(ij, i, better);
    k = select(k, kj, better);
    i = select(i, ij, better);
  }
}

// Drops the head of the private list (its owner won a round).
fn popHead() {
  for (var j = 0u; j + 1u < K; j++) {
    topKey[j] = topKey[j + 1u];
    topId[j] = topId[j + 1u];
  }
  topKey[K - 1u] = EMPTY_KEY;
  topId[K - 1u] = NO_ID;
}
${o.vec4 ? vec4Scan : scalarScan}
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>${reduce.mainParams}) {
  lid = li;
  let row = wg.y * groups.x + wg.x;
  if (row >= params.rows) { return; }
  for (var j = 0u; j < K; j++) { topKey[j] = EMPTY_KEY; topId[j] = NO_ID; }

  let scan = scanRow(row);
  let total = workgroupLogSumExp(scan.ms, scan.flags${reduce.callArgs});
  let lse = logSumExpBits(total.ms.x, total.ms.y, total.flags);

  // k rounds: the best head of all private lists wins and its owner moves on to its next entry.
  let out = (params.outRowOffset + row) * OUT_STRIDE;
  for (var r = 0u; r < K; r++) {
    let best = workgroupBest(topKey[0], topId[0]${reduce.callArgs});
    if (topId[0] == best.y && topKey[0] == best.x) { popHead(); }
    winnerIds[r] = best.y;
    if (lid == r % WG) {
      rowsOut[out + 1u + r] = best.y;
      rowsOut[out + 1u + K + r] = logProbBits(keyBits(best.x), lse);
    }
  }
  if (lid == 0u) { rowsOut[out] = lse; }
${o.teacher ? teacherEpilogue : ''}}
`;
}
