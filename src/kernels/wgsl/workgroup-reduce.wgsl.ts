/**
 * Workgroup-wide reductions used by the row kernels, in two interchangeable flavours:
 * - `plain`: a tree in workgroup memory (log2(WG) barriers), valid on every adapter;
 * - `subgroups`: subgroup operations, then one slot per subgroup in workgroup memory (2 barriers).
 * Both give every invocation the result. Expects `WG`, `lid` and float-bits.wgsl.ts in scope.
 * The subgroup flavour takes the subgroup builtins as arguments so the uniformity analysis sees them.
 */
export interface ReduceFlavour {
  /** WGSL source of `workgroupBest` and `workgroupLogSumExp`. */
  code: string;
  /** Extra parameters of `main` and the arguments the calls pass on. */
  mainParams: string;
  callArgs: string;
}

const shared = /* wgsl */ `
struct LseParts { ms: vec2<f32>, flags: u32 }
var<workgroup> redKey: array<u32, WG>;
var<workgroup> redId: array<u32, WG>;
var<workgroup> redLse: array<vec2<f32>, WG>;
var<workgroup> redFlags: array<u32, WG>;

fn ranksFirst(ka: u32, ia: u32, kb: u32, ib: u32) -> bool { return ka > kb || (ka == kb && ia < ib); }
`;

const plain = /* wgsl */ `
fn workgroupBest(key: u32, id: u32) -> vec2<u32> {
  redKey[lid] = key;
  redId[lid] = id;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let k2 = redKey[lid + stride];
      let i2 = redId[lid + stride];
      if (ranksFirst(k2, i2, redKey[lid], redId[lid])) { redKey[lid] = k2; redId[lid] = i2; }
    }
    workgroupBarrier();
  }
  let best = vec2<u32>(redKey[0], redId[0]);
  workgroupBarrier();
  return best;
}

fn workgroupLogSumExp(part: vec2<f32>, flags: u32) -> LseParts {
  redLse[lid] = part;
  redFlags[lid] = flags;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      redLse[lid] = mergeLogSumExp(redLse[lid], redLse[lid + stride]);
      redFlags[lid] = redFlags[lid] | redFlags[lid + stride];
    }
    workgroupBarrier();
  }
  let total = LseParts(redLse[0], redFlags[0]);
  workgroupBarrier();
  return total;
}
`;

const subgroups = /* wgsl */ `
fn workgroupBest(key: u32, id: u32, lane: u32, sgSize: u32, sgId: u32, numSg: u32) -> vec2<u32> {
  let k1 = subgroupMax(key);
  let i1 = subgroupMin(select(NO_ID, id, key == k1));
  if (lane == 0u) { redKey[sgId] = k1; redId[sgId] = i1; }
  workgroupBarrier();
  var k2 = EMPTY_KEY;
  var i2 = NO_ID;
  for (var j = 0u; j < numSg; j += sgSize) {
    let s = j + lane;
    if (s < numSg && ranksFirst(redKey[s], redId[s], k2, i2)) { k2 = redKey[s]; i2 = redId[s]; }
  }
  let k3 = subgroupMax(k2);
  let i3 = subgroupMin(select(NO_ID, i2, k2 == k3));
  workgroupBarrier();
  return vec2<u32>(k3, i3);
}

fn workgroupLogSumExp(part: vec2<f32>, flags: u32, lane: u32, sgSize: u32, sgId: u32, numSg: u32) -> LseParts {
  let m1 = subgroupMax(part.x);
  let s1 = subgroupAdd(part.y * exp(max(part.x - m1, EXP_FLOOR)));
  let f1 = subgroupOr(flags);
  if (lane == 0u) { redLse[sgId] = vec2<f32>(m1, s1); redFlags[sgId] = f1; }
  workgroupBarrier();
  var acc = vec2<f32>(LOWEST, 0.0);
  var f2 = 0u;
  for (var j = 0u; j < numSg; j += sgSize) {
    let s = j + lane;
    if (s < numSg) { acc = mergeLogSumExp(acc, redLse[s]); f2 = f2 | redFlags[s]; }
  }
  let m3 = subgroupMax(acc.x);
  let s3 = subgroupAdd(acc.y * exp(max(acc.x - m3, EXP_FLOOR)));
  let f3 = subgroupOr(f2);
  workgroupBarrier();
  return LseParts(vec2<f32>(m3, s3), f3);
}
`;

export function reduceFlavour(useSubgroups: boolean): ReduceFlavour {
  if (!useSubgroups) return { code: shared + plain, mainParams: '', callArgs: '' };
  return {
    code: shared + subgroups,
    mainParams:
      ', @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgSize: u32,' +
      ' @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) numSg: u32',
    callArgs: ', lane, sgSize, sgId, numSg',
  };
}
