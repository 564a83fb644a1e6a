/** The clipped log-probability-difference advantage over one support set S_i (METHOD §5). */
export interface ClippedAdvantages {
  /** `w_v`: softmax of `l_old` renormalised within S_i. */
  weights: Float32Array;
  /** `D_v = clip(l_T(v) − l_old(v), −C, +C)` (unclipped when C ≤ 0). */
  deltas: Float32Array;
  /** `A_v = D_v · w_v`. */
  advantages: Float32Array;
  /** How many `|l_T − l_old|` exceeded C (0 when the clip is off). */
  clipped: number;
}

/**
 * `clippedAdvantages(lOldAtS, lTeacherAtS, C)` (METHOD §5): `w = softmax_S(l_old)`,
 * `D = clip(l_T − l_old, −C, C)`, `A = D · w`. All inputs are global log-probs at the support set.
 *
 * Edge cases, so the result is never NaN: equal log-probs (including −∞ on both sides) give D = 0;
 * a token with w = 0 (l_old = −∞) gets A = 0; if every `l_old` in S is −∞ all weights are 0.
 * The arithmetic is float64, stored as float32.
 */
export function clippedAdvantages(lOldAtS: ArrayLike<number>, lTeacherAtS: ArrayLike<number>, C: number): ClippedAdvantages {
  const n = lOldAtS.length;
  if (lTeacherAtS.length !== n) throw new RangeError(`clippedAdvantages: ${n} student log-probs, ${lTeacherAtS.length} teacher log-probs`);
  const weights = new Float32Array(n);
  const deltas = new Float32Array(n);
  const advantages = new Float32Array(n);
  let max = -Infinity;
  for (let v = 0; v < n; v++) max = Math.max(max, lOldAtS[v]);
  const exps = new Float64Array(n);
  let total = 0;
  if (max > -Infinity) {
    for (let v = 0; v < n; v++) total += exps[v] = Math.exp(lOldAtS[v] - max);
  }
  let clipped = 0;
  for (let v = 0; v < n; v++) {
    const w = total > 0 ? exps[v] / total : 0;
    const diff = lTeacherAtS[v] === lOldAtS[v] ? 0 : lTeacherAtS[v] - lOldAtS[v];
    let d = diff;
    if (C > 0 && Math.abs(diff) > C) {
      d = Math.sign(diff) * C;
      clipped++;
    }
    weights[v] = w;
    deltas[v] = d;
    advantages[v] = w === 0 ? 0 : d * w;
  }
  return { weights, deltas, advantages, clipped };
}
