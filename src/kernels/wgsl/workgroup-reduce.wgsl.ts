/**
 * Row-wide reductions of the row kernels, one per ReduceLayout (../gpu/capabilities.ts). Each gives every
 * invocation of the row the result:
 * - `workgroupBest(key, id)`: the best (key, id) pair, larger key first, then lower id;
 * - `workgroupLogSumExp(part, flags)`: running (max, Σ exp(x − max)) pairs merged, flags OR-ed.
 * Expects `WG`, `lid` and float-bits.wgsl.ts in scope. The `subgroups` layout takes the subgroup
 * builtins as arguments so the uniformity analysis sees where they come from.
 */
import type { ReduceLayout } from '../gpu/capabilities.ts';

export interface ReduceCode {
  code: string;
  /** Extra parameters of `main`, and the arguments the calls pass on. */
  mainParams: string;
  callArgs: string;
  enable: string;
}

const common = /* wgsl */ `
struct LseParts { ms: vec2<f32>, flags: u32 }
fn ranksFirst(ka: u32, ia: u32, kb: u32, ib: u32) -> bool { return ka > kb || (ka == kb && ia < ib); }
`;

const slots = /* wgsl */ `
var<workgroup> redKey: array<u32, WG>;
var<workgroup> redId: array<u32, WG>;
var<workgroup> redLse: array<vec2<f32>, WG>;
var<workgroup> redFlags: array<u32, WG>;
`;

const tree = /* wgsl */ `
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

const subgroupOps = /* wgsl */ `
fn subgroupBest(key: u32, id: u32) -> vec2<u32> {
  let k = subgroupMax(key);
  return vec2<u32>(k, subgroupMin(select(NO_ID, id, key == k)));
}

fn subgroupLogSumExp(part: vec2<f32>, flags: u32) -> LseParts {
  let m = subgroupMax(part.x);
  return LseParts(vec2<f32>(m, subgroupAdd(part.y * exp(max(part.x - m, EXP_FLOOR)))), subgroupOr(flags));
}
`;

const subgroupRow = /* wgsl */ `
fn workgroupBest(key: u32, id: u32) -> vec2<u32> { return subgroupBest(key, id); }
fn workgroupLogSumExp(part: vec2<f32>, flags: u32) -> LseParts { return subgroupLogSumExp(part, flags); }
`;

const subgroupSlots = /* wgsl */ `
fn workgroupBest(key: u32, id: u32, lane: u32, sgSize: u32, sgId: u32, numSg: u32) -> vec2<u32> {
  let mine = subgroupBest(key, id);
  if (lane == 0u) { redKey[sgId] = mine.x; redId[sgId] = mine.y; }
  workgroupBarrier();
  var k2 = EMPTY_KEY;
  var i2 = NO_ID;
  for (var j = 0u; j < numSg; j += sgSize) {
    let s = j + lane;
    if (s < numSg && ranksFirst(redKey[s], redId[s], k2, i2)) { k2 = redKey[s]; i2 = redId[s]; }
  }
  let best = subgroupBest(k2, i2);
  workgroupBarrier();
  return best;
}

fn workgroupLogSumExp(part: vec2<f32>, flags: u32, lane: u32, sgSize: u32, sgId: u32, numSg: u32) -> LseParts {
  let mine = subgroupLogSumExp(part, flags);
  if (lane == 0u) { redLse[sgId] = mine.ms; redFlags[sgId] = mine.flags; }
  workgroupBarrier();
  var acc = vec2<f32>(LOWEST, 0.0);
  var f = 0u;
  for (var j = 0u; j < numSg; j += sgSize) {
    let s = j + lane;
    if (s < numSg) { acc = mergeLogSumExp(acc, redLse[s]); f = f | redFlags[s]; }
  }
  let total = subgroupLogSumExp(acc, f);
  workgroupBarrier();
  return total;
}
`;

export function reduceCode(layout: ReduceLayout): ReduceCode {
  switch (layout) {
    case 'tree':
      return { code: common + slots + tree, mainParams: '', callArgs: '', enable: '' };
    case 'subgroupRow':
      return { code: common + subgroupOps + subgroupRow, mainParams: '', callArgs: '', enable: 'enable subgroups;' };
    case 'subgroups':
      return {
        code: common + slots + subgroupOps + subgroupSlots,
        mainParams:
          ', @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgSize: u32,' +
          ' @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) numSg: u32',
        callArgs: ', lane, sgSize, sgId, numSg',
        enable: 'enable subgroups;',
      };
  }
}
