/**
 * A batch of training samples as tensors, padded to a common length T and support size K (METHOD §6),
 * with the clipped advantages of METHOD §5 computed from each sample's support log-probs.
 */
import * as tf from '@tensorflow/tfjs';
import { clippedAdvantages } from './advantages.ts';
import type { Settings } from './settings.ts';
import type { TrainingSample } from './staleness.ts';

/** Everything `hybridLoss` needs besides the current logits. Float tensors are float32; ids are int32. */
export interface SampleBatch {
  /** [N, T] the sampled response tokens (padding: 0). */
  sampledIds: tf.Tensor2D;
  /** [N, T] 1 on the response tokens that train. */
  responseMask: tf.Tensor2D;
  /** [N, T] π_old of each sampled token: the sampling policy's, or the proximal policy's (METHOD §7). */
  oldLogprobs: tf.Tensor2D;
  /** [N] the evaluative score r, broadcast to every response token. */
  reward: tf.Tensor1D;
  /** [N, T, K] support set S_t (padding: id 0 with mask 0). */
  supportIds: tf.Tensor3D;
  /** [N, T, K] 1 on real support entries. */
  supportMask: tf.Tensor3D;
  /** [N, T, K] A_v of METHOD §5. */
  advantages: tf.Tensor3D;
  /** [N, T, K] the sampling policy's log-probs at the support set. */
  oldLogprobsAtSupport: tf.Tensor3D;
  /** [N] 1 when the sample trains the GRPO term (cases `combined`, `grpo`). */
  hasGRPO: tf.Tensor1D;
  /** [N] 1 when the sample trains the OPD term (cases `combined`, `opd`). */
  hasOPD: tf.Tensor1D;
  /** [N, T] the frozen reference policy's log-prob of each sampled token, for the k3 KL. */
  refLogprobs?: tf.Tensor2D;
  /** [N, T] behaviour importance weights (METHOD §7; 1 for samples without them); absent when no sample has them. */
  behaviourWeights?: tf.Tensor2D;
}

/**
 * `batchFromSamples(samples, settings, options)`: pads to T = `options.length` (default: the longest
 * response) and K = the largest support (at least 1). `options.refLogprobs[n]` are the reference
 * policy's log-probs of sample n's response tokens (needed when the KL coefficient is non-zero).
 * A sample trained with the decoupled objective (METHOD §7) brings its proximal log-probs, used as π_old of
 * its sampled tokens, and its behaviour weights.
 */
export function batchFromSamples(
  samples: readonly TrainingSample[],
  settings: Pick<Settings, 'C'>,
  options: { length?: number; refLogprobs?: readonly ArrayLike<number>[] } = {},
): SampleBatch {
  const N = samples.length;
  if (N === 0) throw new RangeError('batchFromSamples: no samples');
  const T = options.length ?? Math.max(...samples.map((s) => s.response_ids.length));
  const K = Math.max(1, ...samples.flatMap((s) => s.support_ids.map((ids) => ids.length)));
  if (options.refLogprobs && options.refLogprobs.length !== N) throw new RangeError('batchFromSamples: one reference row per sample');
  const sampledIds = new Int32Array(N * T);
  const responseMask = new Float32Array(N * T);
  const oldLogprobs = new Float32Array(N * T);
  const refLogprobs = new Float32Array(N * T);
  const weighted = samples.some((s) => s.behaviour_weights);
  const behaviourWeights = new Float32Array(weighted ? N * T : 0);
  const supportIds = new Int32Array(N * T * K);
  const supportMask = new Float32Array(N * T * K);
  const advantages = new Float32Array(N * T * K);
  const oldAtSupport = new Float32Array(N * T * K);
  samples.forEach((s, n) => {
    const length = s.response_ids.length;
    if (length > T) throw new RangeError(`batchFromSamples: sample ${n} has ${length} response tokens, more than T = ${T}`);
    for (let t = 0; t < length; t++) {
      const at = n * T + t;
      sampledIds[at] = s.response_ids[t];
      responseMask[at] = s.loss_mask[t];
      oldLogprobs[at] = (s.proximal_logprobs ?? s.response_logprobs)[t];
      if (weighted) behaviourWeights[at] = s.behaviour_weights?.[t] ?? 1;
      if (options.refLogprobs) refLogprobs[at] = options.refLogprobs[n][t];
      const a = clippedAdvantages(s.old_logprobs_at_support[t], s.teacher_logprobs_at_support[t], settings.C).advantages;
      s.support_ids[t].forEach((id, j) => {
        const slot = at * K + j;
        supportIds[slot] = id;
        supportMask[slot] = 1;
        advantages[slot] = a[j];
        oldAtSupport[slot] = s.old_logprobs_at_support[t][j];
      });
    }
  });
  return {
    sampledIds: tf.tensor2d(sampledIds, [N, T], 'int32'),
    responseMask: tf.tensor2d(responseMask, [N, T]),
    oldLogprobs: tf.tensor2d(oldLogprobs, [N, T]),
    reward: tf.tensor1d(samples.map((s) => s.reward.step ?? s.reward.score)),
    supportIds: tf.tensor3d(supportIds, [N, T, K], 'int32'),
    supportMask: tf.tensor3d(supportMask, [N, T, K]),
    advantages: tf.tensor3d(advantages, [N, T, K]),
    oldLogprobsAtSupport: tf.tensor3d(oldAtSupport, [N, T, K]),
    hasGRPO: tf.tensor1d(samples.map((s) => (s.case === 'opd' ? 0 : 1))),
    hasOPD: tf.tensor1d(samples.map((s) => (s.case === 'grpo' ? 0 : 1))),
    refLogprobs: options.refLogprobs ? tf.tensor2d(refLogprobs, [N, T]) : undefined,
    behaviourWeights: weighted ? tf.tensor2d(behaviourWeights, [N, T]) : undefined,
  };
}

/** Frees every tensor of a batch. */
export function disposeBatch(batch: SampleBatch): void {
  for (const tensor of Object.values(batch)) if (tensor) (tensor as tf.Tensor).dispose();
}
