import * as tf from '@tensorflow/tfjs';
import type { Policy } from './policy.ts';

export interface ScoreOptions {
  /** How many top tokens per position (<= 32; default 4, METHOD §4). */
  k?: number;
  /** Logits are divided by it before the global log-softmax (default 0.6, METHOD §5). */
  temperature?: number;
  /** Also return the logits/temperature tensor [T, V], left on the backend; the caller disposes it. */
  keepLogits?: boolean;
}

/** Per response position i (all log-probs global, on logits/temperature; METHOD §4-5). */
export interface ScoreResult {
  /** log p(response[i]). */
  tokenLogprobs: Float32Array;
  /** log-sum-exp of logits/temperature at i. */
  logSumExp: Float32Array;
  k: number;
  /** [T·k], most likely first, ties to the lower id. */
  topIds: Int32Array;
  /** [T·k], matching topIds. */
  topLogprobs: Float32Array;
  logits?: tf.Tensor2D;
}

/** logits/temperature [responseLength, V] predicting each response token from everything before it. */
export function responseLogits(policy: Policy, contextIds: readonly number[], responseIds: readonly number[], temperature = 0.6): tf.Tensor2D {
  if (contextIds.length === 0) throw new Error('score: empty context');
  if (responseIds.length === 0) throw new Error('score: empty response');
  const input = [...contextIds, ...responseIds].slice(0, -1);
  return tf.tidy(() => {
    const { logits } = policy.forward(tf.tensor2d(input, [1, input.length], 'int32'), 0, undefined, undefined, contextIds.length - 1);
    return tf.div(logits, temperature) as tf.Tensor2D;
  });
}

/** Teacher-forced scoring of a given response under a context (one forward pass, no sampling). */
export async function score(
  policy: Policy,
  contextIds: readonly number[],
  responseIds: readonly number[],
  o: ScoreOptions = {},
): Promise<ScoreResult> {
  const k = o.k ?? 4;
  const vocab = policy.config.vocabSize;
  if (k < 1 || k > 32 || k > vocab) throw new Error(`score: k must be in 1..min(32, vocab), got ${k}`);
  const scaled = responseLogits(policy, contextIds, responseIds, o.temperature ?? 0.6);
  const lse = tf.tidy(() => tf.logSumExp(scaled, 1));
  const [rows, lseRows] = (await Promise.all([scaled.data(), lse.data()])) as Float32Array[];
  lse.dispose();
  const t = responseIds.length;
  const result: ScoreResult = {
    tokenLogprobs: new Float32Array(t),
    logSumExp: Float32Array.from(lseRows),
    k,
    topIds: new Int32Array(t * k),
    topLogprobs: new Float32Array(t * k),
  };
  for (let i = 0; i < t; i++) {
    const row = rows.subarray(i * vocab, (i + 1) * vocab);
    result.tokenLogprobs[i] = row[responseIds[i]] - lseRows[i];
    const top = topK(row, k);
    for (let j = 0; j < k; j++) {
      result.topIds[i * k + j] = top[j];
      result.topLogprobs[i * k + j] = row[top[j]] - lseRows[i];
    }
  }
  if (o.keepLogits) result.logits = scaled;
  else scaled.dispose();
  return result;
}

/** Ids of the k largest values, most likely first, ties to the lower id: one pass, no sort of the vocabulary. */
function topK(row: Float32Array, k: number): number[] {
  const ids: number[] = [];
  for (let id = 0; id < row.length; id++) {
    if (ids.length === k && row[id] <= row[ids[k - 1]]) continue;
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && row[ids[at - 1]] < row[id]) at--;
    ids.splice(at, 0, id);
    if (ids.length > k) ids.pop();
  }
  return ids;
}
