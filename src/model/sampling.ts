import type { Rng } from './rng.ts';

/** log-softmax of logits/temperature over the whole vocabulary (the "global" log-probs of METHOD §5). */
export function logSoftmax(logits: ArrayLike<number>, temperature: number): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    out[i] = logits[i] / temperature;
    if (out[i] > max) max = out[i];
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(out[i] - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] -= lse;
  return out;
}

export interface SampledToken {
  id: number;
  /** log-softmax(logits/temperature) of the token: the sampling policy's log-prob, before any top-p cut. */
  logprob: number;
}

/**
 * Draw one token from logits/temperature restricted to the top-p nucleus (the smallest set of most likely tokens
 * whose probability reaches topP; ties broken by the lower id). Temperature <= 0 picks the most likely token
 * and reports its log-prob at temperature 1.
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, rng: Rng): SampledToken {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return { id: best, logprob: logSoftmax(logits, 1)[best] };
  }
  const logprobs = logSoftmax(logits, temperature);
  const u = rng();
  if (topP >= 1) {
    let acc = 0;
    for (let i = 0; i < logprobs.length; i++) {
      acc += Math.exp(logprobs[i]);
      if (u < acc) return { id: i, logprob: logprobs[i] };
    }
    const last = logprobs.length - 1;
    return { id: last, logprob: logprobs[last] };
  }
  const order = nucleusCandidates(logprobs, topP).sort((a, b) => logprobs[b] - logprobs[a] || a - b);
  let mass = 0;
  let size = 0;
  while (size < order.length && mass < topP) mass += Math.exp(logprobs[order[size++]]);
  let acc = 0;
  for (let r = 0; r < size; r++) {
    acc += Math.exp(logprobs[order[r]]) / mass;
    if (u < acc) return { id: order[r], logprob: logprobs[order[r]] };
  }
  const last = order[size - 1];
  return { id: last, logprob: logprobs[last] };
}

/**
 * Ids whose probabilities include the whole nucleus: every id at or above a cut whose ids hold at least topP of
 * the mass (the nucleus is a prefix of the sorted order, and so is this set), so only they need sorting: a real
 * vocabulary (50k-150k ids) is not sorted per token.
 */
function nucleusCandidates(logprobs: Float64Array, topP: number): number[] {
  let maxLogprob = -Infinity;
  for (const lp of logprobs) if (lp > maxLogprob) maxLogprob = lp;
  for (let cut = maxLogprob - 8; ; cut -= 8) {
    const ids: number[] = [];
    let mass = 0;
    for (let i = 0; i < logprobs.length; i++) {
      if (logprobs[i] >= cut) {
        ids.push(i);
        mass += Math.exp(logprobs[i]);
      }
    }
    if (mass >= topP || ids.length === logprobs.length) return ids;
    if (cut < -1e4) return Array.from(logprobs.keys()); // rounding kept the mass just under topP: take every id
  }
}
