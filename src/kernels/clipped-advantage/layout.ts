/**
 * The clipped log-probability-difference advantages of one turn (METHOD §5) on the student's top-k
 * support set, after the hint selection of METHOD §4, and the packed GPU layout they travel in:
 * per position i: [h*(i), k weights, k deltas, k advantages, k teacher log-probs] (1 + 4k words),
 * then H words Σ_i O[h,i], then 1 word: how many deltas were clipped. Floats as their f32 bits.
 */
export interface DirectiveAdvantages {
  positions: number;
  hints: number;
  k: number;
  /** `[i]` the selected hint candidate h*(i). */
  hint: Int32Array;
  /** `[h]` Σ_i O[h,i]. */
  sums: number[];
  /** `[i·k + j]` w_v: softmax of l_old renormalised within S_i = Sq_i. */
  weights: Float32Array;
  /** `[i·k + j]` D_v = clip(l_T − l_old, −C, C). */
  deltas: Float32Array;
  /** `[i·k + j]` A_v = D_v · w_v. */
  advantages: Float32Array;
  /** `[i·k + j]` l_T at S_i under h*(i): the teacher log-probs a training sample records (METHOD §8). */
  teacherLogProbs: Float32Array;
  /** How many |l_T − l_old| exceeded C, over the turn. */
  clipped: number;
}

export const advantageStride = (k: number): number => 1 + 4 * k;
export const advantageWords = (positions: number, hints: number, k: number): number => positions * advantageStride(k) + hints + 1;

export function decodeDirectiveAdvantages(words: Int32Array, positions: number, hints: number, k: number): DirectiveAdvantages {
  const A = advantageStride(k);
  const f = new Float32Array(words.buffer, words.byteOffset, words.length);
  const n = positions * k;
  const r: DirectiveAdvantages = {
    positions, hints, k, hint: new Int32Array(positions), sums: [],
    weights: new Float32Array(n), deltas: new Float32Array(n), advantages: new Float32Array(n), teacherLogProbs: new Float32Array(n),
    clipped: words[positions * A + hints],
  };
  for (let i = 0; i < positions; i++) {
    const o = i * A;
    r.hint[i] = words[o];
    r.weights.set(f.subarray(o + 1, o + 1 + k), i * k);
    r.deltas.set(f.subarray(o + 1 + k, o + 1 + 2 * k), i * k);
    r.advantages.set(f.subarray(o + 1 + 2 * k, o + 1 + 3 * k), i * k);
    r.teacherLogProbs.set(f.subarray(o + 1 + 3 * k, o + 1 + 4 * k), i * k);
  }
  for (let h = 0; h < hints; h++) r.sums.push(words[positions * A + h]);
  return r;
}
