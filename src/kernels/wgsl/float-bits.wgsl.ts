/**
 * WGSL helpers that handle f32 special values through their bits: WGSL leaves NaN and infinity results of
 * float operations indeterminate, so every rule about them below is integer arithmetic.
 *
 * Order key (`sortKey`): an unsigned integer whose order is the order of `topK` in src/rl/topk.ts:
 * larger key = ranks first; -0 and +0 are equal; -Infinity is the lowest number; every NaN gets key 1,
 * below -Infinity; key 0 is never produced and marks an empty slot.
 */
export const floatBitsWgsl = /* wgsl */ `
const NAN_BITS: u32 = 0x7fc00000u;
const POS_INF_BITS: u32 = 0x7f800000u;
const NEG_INF_BITS: u32 = 0xff800000u;
const EMPTY_KEY: u32 = 0u;
const NAN_KEY: u32 = 1u;
const NO_ID: u32 = 0xffffffffu;
// Stands in for -inf, +inf and NaN in the log-sum-exp arithmetic (their effect is carried by flags).
const LOWEST: f32 = -3.4028234e38;
// exp() of anything below this is 0 in f32; clamping keeps every exp() argument finite.
const EXP_FLOOR: f32 = -104.0;
const FLAG_NAN: u32 = 1u;
const FLAG_POS_INF: u32 = 2u;
const FLAG_FINITE: u32 = 4u;

fn isNanBits(b: u32) -> bool { return (b & 0x7fffffffu) > POS_INF_BITS; }
fn isFiniteBits(b: u32) -> bool { return (b & POS_INF_BITS) != POS_INF_BITS; }

fn sortKey(b: u32) -> u32 {
  if (isNanBits(b)) { return NAN_KEY; }
  let c = select(b, 0u, b == 0x80000000u);
  return select(c | 0x80000000u, ~c, (c & 0x80000000u) != 0u);
}

fn sortKeys(b: vec4<u32>) -> vec4<u32> {
  let nan = (b & vec4<u32>(0x7fffffffu)) > vec4<u32>(POS_INF_BITS);
  let c = select(b, vec4<u32>(0u), b == vec4<u32>(0x80000000u));
  let k = select(c | vec4<u32>(0x80000000u), ~c, (c & vec4<u32>(0x80000000u)) != vec4<u32>(0u));
  return select(k, vec4<u32>(NAN_KEY), nan);
}

// The value a key came from (-0 comes back as +0, any NaN as the canonical NaN).
fn keyBits(key: u32) -> u32 {
  if (key == NAN_KEY) { return NAN_BITS; }
  return select(~key, key & 0x7fffffffu, (key & 0x80000000u) != 0u);
}

// Special-value flags of one element (FLAG_FINITE when it is an ordinary number).
fn elementFlags(b: u32) -> u32 {
  if (isFiniteBits(b)) { return FLAG_FINITE; }
  if (isNanBits(b)) { return FLAG_NAN; }
  return select(0u, FLAG_POS_INF, b == POS_INF_BITS);
}

// log-sum-exp of a row from its running max m, running sum s of exp(x - m) and its flags:
// NaN if any NaN, +inf if any +inf, -inf if every entry is -inf, else m + log(s).
fn logSumExpBits(m: f32, s: f32, flags: u32) -> u32 {
  if ((flags & FLAG_NAN) != 0u) { return NAN_BITS; }
  if ((flags & FLAG_POS_INF) != 0u) { return POS_INF_BITS; }
  if ((flags & FLAG_FINITE) == 0u) { return NEG_INF_BITS; }
  return bitcast<u32>(m + log(s));
}

// x - lse with IEEE semantics for the special values (as the f64 reference computes it).
fn logProbBits(x: u32, lse: u32) -> u32 {
  if (isNanBits(x) || isNanBits(lse)) { return NAN_BITS; }
  if (x == POS_INF_BITS) { return select(POS_INF_BITS, NAN_BITS, lse == POS_INF_BITS); }
  if (x == NEG_INF_BITS) { return select(NEG_INF_BITS, NAN_BITS, lse == NEG_INF_BITS); }
  if (lse == POS_INF_BITS) { return NEG_INF_BITS; }
  if (lse == NEG_INF_BITS) { return POS_INF_BITS; }
  return bitcast<u32>(bitcast<f32>(x) - bitcast<f32>(lse));
}

// The running (max, sum of exp(x - max)) of two partial rows, merged.
fn mergeLogSumExp(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let m = max(a.x, b.x);
  return vec2<f32>(m, a.y * exp(max(a.x - m, EXP_FLOOR)) + b.y * exp(max(b.x - m, EXP_FLOOR)));
}
`;
