/**
 * The current policy's logits at every sample's response positions, [N, T, V] with gradient: one batched
 * forward over right-padded prompt+response sequences (causal attention never sees the padding), the output
 * layer only from the earliest response row on, then each sample's rows predicting its response tokens,
 * padded to T.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../model/policy.ts';
import type { SampleRecord } from '../rl/records.ts';
import { gatherLast } from '../rl/hybrid-loss.ts';

export function samplesResponseLogits(policy: Policy, samples: readonly SampleRecord[], T: number, padId = 0): tf.Tensor3D {
  const inputs = samples.map((s) => [...s.prompt_ids, ...s.response_ids].slice(0, -1));
  const L = Math.max(...inputs.map((x) => x.length));
  if (L > policy.config.maxLen) throw new RangeError(`a sample of ${L} tokens exceeds the policy's ${policy.config.maxLen}`);
  const ids = tf.tensor2d(inputs.flatMap((x) => [...x, ...new Array<number>(L - x.length).fill(padId)]), [samples.length, L], 'int32');
  // the output layer (the largest matrix) runs only from the first response row on: prompt rows need no logits
  const from = Math.min(...samples.map((s) => s.prompt_ids.length - 1));
  const V = policy.config.vocabSize;
  const logits = tf.tidy(() => tf.reshape(policy.forward(ids, 0, undefined, undefined, from).logits, [samples.length, L - from, V]));
  ids.dispose();
  const rows = samples.map((s, n) => {
    const start = s.prompt_ids.length - 1 - from;
    const length = s.response_ids.length;
    const slice = tf.reshape(tf.slice(logits, [n, start, 0], [1, length, V]), [length, V]);
    return length < T ? tf.pad(slice, [[0, T - length], [0, 0]]) : slice;
  });
  return tf.stack(rows) as tf.Tensor3D;
}

/** Log-prob of each sample's sampled tokens under `policy` on logits / temperature, [N][T] (no gradient; padding after each response). */
export function sampledLogprobs(policy: Policy, samples: readonly SampleRecord[], T: number, temperature: number): number[][] {
  return tf.tidy(() => {
    const logits = samplesResponseLogits(policy, samples, T);
    const ids = tf.tensor2d(samples.flatMap((s) => [...s.response_ids, ...new Array<number>(T - s.response_ids.length).fill(0)]), [samples.length, T], 'int32');
    const lp = gatherLast(tf.logSoftmax(tf.div(logits, temperature)) as tf.Tensor3D, ids) as tf.Tensor2D;
    return lp.arraySync();
  });
}
