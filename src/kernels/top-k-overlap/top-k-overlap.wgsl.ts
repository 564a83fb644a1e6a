/**
 * WGSL of the top-k overlap kernel (METHOD §4): one workgroup per logits row, one pass over the row.
 *
 * Each invocation streams a strided slice of the row (coalesced: neighbours read neighbouring words),
 * keeping an online log-sum-exp (running max and sum) and its own sorted top-k in registers; the
 * workgroup then merges the log-sum-exp and extracts the k best of all private lists, one per round.
 * The teacher variant also counts O[h,i] against the student's ids and gathers its log-probs there.
 * Output rows (u32 words; floats as their bits) are laid out as in ./layout.ts.
 */
import { floatBitsWgsl } from '../wgsl/float-bits.wgsl.ts';
import { reduceFlavour } from '../wgsl/workgroup-reduce.wgsl.ts';

export interface TopKShaderOptions {
  /** k (1..32), already capped at the vocabulary size. */
  k: number;
  /** Read the row as vec4<f32> (needs vocab % 4 == 0). */
  vec4: boolean;
  /** Teacher rows: add the overlap count and the gather at the student's top-k (binding 3). */
  teacher: boolean;
  subgroups: boolean;
}

export const WORKGROUP_SIZE = 256;

/** The row scan: online log-sum-exp plus the invocation's private top-k, over its strided slice. */
function scanCode(vec4: boolean): string {
  if (vec4) {
    return /* wgsl */ `
fn scanRow(row: u32) -> LseParts {
  var m = LOWEST;
  var s = 0.0;
  var flags = 0u;
  let n = params.vocab / 4u;
  let base = row * n;
  for (var e = lid; e < n; e += WG) {
    let v = logits[base + e];
    let b = bitcast<vec4<u32>>(v);
    let finite = (b & vec4<u32>(POS_INF_BITS)) != vec4<u32>(POS_INF_BITS);
    var x = v;
    if (all(finite)) {
      flags = flags | FLAG_FINITE;
    } else {
      flags = flags | elementFlags(b.x) | elementFlags(b.y) | elementFlags(b.z) | elementFlags(b.w);
      x = select(vec4<f32>(LOWEST), v, finite);
    }
    let mx = max(max(x.x, x.y), max(x.z, x.w));
    if (mx > m) { s = s * exp(max(m - mx, EXP_FLOOR)); m = mx; }
    let ex = exp(max(x - vec4<f32>(m), vec4<f32>(EXP_FLOOR)));
    s += (ex.x + ex.y) + (ex.z + ex.w);
    let keys = sortKeys(b);
    if (any(keys > vec4<u32>(topKey[K - 1u]))) {
      let id = e * 4u;
      if (keys.x > topKey[K - 1u]) { offer(keys.x, id); }
      if (keys.y > topKey[K - 1u]) { offer(keys.y, id + 1u); }
      if (keys.z > topKey[K - 1u]) { offer(keys.z, id + 2u); }
      if (keys.w > topKey[K - 1u]) { offer(keys.w, id + 3u); }
    }
  }
  return LseParts(vec2<f32>(m, s), flags);
}

fn logitBits(row: u32, id: u32) -> u32 {
  let i = row * params.vocab + id;
  return bitcast<u32>(logits[i / 4u][i % 4u]);
}
`;
  }
  return /* wgsl */ `
fn scanRow(row: u32) -> LseParts {
  var m = LOWEST;
  var s = 0.0;
  var flags = 0u;
  let base = row * params.vocab;
  for (var e = lid; e < params.vocab; e += WG) {
    let b = bitcast<u32>(logits[base + e]);
    let f = elementFlags(b);
    flags = flags | f;
    let x = select(LOWEST, bitcast<f32>(b), f == FLAG_FINITE);
    if (x > m) { s = s * exp(max(m - x, EXP_FLOOR)); m = x; }
    s += exp(max(x - m, EXP_FLOOR));
    let key = sortKey(b);
    if (key > topKey[K - 1u]) { offer(key, e); }
  }
  return LseParts(vec2<f32>(m, s), flags);
}

fn logitBits(row: u32, id: u32) -> u32 {
  return bitcast<u32>(logits[row * params.vocab + id]);
}
`;
}

/** Writes the teacher-only words: O[h,i] and the log-probs at the student's top-k ids. */
const teacherEpilogue = /* wgsl */ `
  let studentRow = (row % params.positions) * STUDENT_STRIDE;
  if (lid < K) {
    let id = studentRows[studentRow + 1u + lid];
    rowsOut[out + 2u + 2u * K + lid] = logProbBits(logitBits(row, id), lse);
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
  const reduce = reduceFlavour(o.subgroups);
  return /* wgsl */ `${o.subgroups ? 'enable subgroups;' : ''}
const K: u32 = ${o.k}u;
const WG: u32 = ${WORKGROUP_SIZE}u;
const STUDENT_STRIDE: u32 = 1u + 2u * K;
const TEACHER_STRIDE: u32 = 2u + 3u * K;
const OUT_STRIDE: u32 = ${o.teacher ? 'TEACHER_STRIDE' : 'STUDENT_STRIDE'};

struct Params { rows: u32, vocab: u32, positions: u32, outRowOffset: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<${o.vec4 ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read_write> rowsOut: array<u32>;
${o.teacher ? '@group(0) @binding(3) var<storage, read> studentRows: array<u32>;' : ''}

var<private> lid: u32;
var<private> topKey: array<u32, K>;
var<private> topId: array<u32, K>;
var<workgroup> winnerKeys: array<u32, K>;
var<workgroup> winnerIds: array<u32, K>;
${floatBitsWgsl}
${reduce.code}

// Inserts into the private list, kept sorted best first; the caller checked key > topKey[K - 1].
// Ids arrive in increasing order, so an equal key already listed keeps its place ahead.
fn offer(key: u32, id: u32) {
  var j = K - 1u;
  while (j > 0u && key > topKey[j - 1u]) {
    topKey[j] = topKey[j - 1u];
    topId[j] = topId[j - 1u];
    j -= 1u;
  }
  topKey[j] = key;
  topId[j] = id;
}
${scanCode(o.vec4)}
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
  var head = 0u;
  for (var r = 0u; r < K; r++) {
    let mine = head < K;
    let key = select(EMPTY_KEY, topKey[min(head, K - 1u)], mine);
    let id = select(NO_ID, topId[min(head, K - 1u)], mine);
    let best = workgroupBest(key, id${reduce.callArgs});
    if (mine && id == best.y) { head += 1u; }
    if (lid == 0u) { winnerKeys[r] = best.x; winnerIds[r] = best.y; }
  }
  workgroupBarrier();

  let out = (params.outRowOffset + row) * OUT_STRIDE;
  if (lid == 0u) { rowsOut[out] = lse; }
  if (lid < K) {
    rowsOut[out + 1u + lid] = winnerIds[lid];
    rowsOut[out + 1u + K + lid] = logProbBits(keyBits(winnerKeys[lid]), lse);
  }
${o.teacher ? teacherEpilogue : ''}}
`;
}
