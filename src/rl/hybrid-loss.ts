/**
 * The hybrid objective of METHOD §6 in tfjs: PPO-clipped GRPO on the sampled token plus PPO-clipped OPD
 * over the support set, optional k3 KL and entropy bonus. Runs on the `wasm` backend, which has no
 * gradient for `gather`: gathers go through `gatherLast`, whose gradient is a scatter.
 */
import * as tf from '@tensorflow/tfjs';
import type { SampleBatch } from './sample-batch.ts';
import type { Settings } from './settings.ts';

/** The log-ratio is clamped to ±20 before `exp` (METHOD §6). */
export const LOG_RATIO_CLAMP = 20;

export type LossSettings = Pick<Settings, 'temperature' | 'epsLo' | 'epsHi' | 'wRL' | 'wOPD' | 'klCoef' | 'entropyCoef'>;

export interface HybridLoss {
  /** `w_RL·grpo + w_OPD·opd + klCoef·kl − entropyCoef·entropy`. */
  loss: tf.Scalar;
  /** Each term aggregated like the loss (mean over a sample's trained tokens, then over samples), unweighted. */
  terms: { grpo: tf.Scalar; opd: tf.Scalar; kl: tf.Scalar; entropy: tf.Scalar };
  /** [N, T] the current policy's log-prob of each sampled token (no further forward pass needed for ρ's metrics). */
  sampledLogprobs: tf.Tensor2D;
}

/**
 * `values[n, t, ids[n, t, …]]` for values [N, T, V] and int32 ids [N, T] or [N, T, K]. The gradient
 * scatters (summing repeats) instead of tfjs's `UnsortedSegmentSum`, which the `wasm` backend lacks.
 */
export function gatherLast(values: tf.Tensor3D, ids: tf.Tensor): tf.Tensor {
  const [N, T, V] = values.shape;
  const rowShape = [N, T, ...new Array<number>(ids.rank - 2).fill(1)];
  const gather = tf.customGrad((x, save) => {
    const flatIds = tf.add(tf.mul(tf.reshape(tf.range(0, N * T, 1, 'int32'), rowShape), tf.scalar(V, 'int32')), ids);
    (save as tf.GradSaveFunc)([flatIds]); // kept alive for the backward pass
    return {
      value: tf.gather(tf.reshape(x as tf.Tensor, [N * T * V]), flatIds),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.reshape(tf.scatterND(tf.expandDims(saved[0], -1), dy, [N * T * V]), [N, T, V]),
    };
  });
  return gather(values);
}

/** Per element, `max(−a·ρ, −a·clip(ρ, 1 − epsLo, 1 + epsHi))` with ρ = exp(clamp(lp − lpOld, ±20)). */
function clippedSurrogate(lp: tf.Tensor, lpOld: tf.Tensor, a: tf.Tensor, epsLo: number, epsHi: number): tf.Tensor {
  const ratio = tf.exp(tf.clipByValue(tf.sub(lp, lpOld), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
  const negA = tf.neg(a);
  return tf.maximum(tf.mul(negA, ratio), tf.mul(negA, tf.clipByValue(ratio, 1 - epsLo, 1 + epsHi)));
}

/**
 * `hybridLoss(currentLogits, batch, settings)` (METHOD §6).
 *
 * @param currentLogits [N, T, V] the current policy's logits (with gradient) whose row (n, t) predicts
 *   sample n's response token t; NOT yet divided by the sampling temperature (done here, METHOD §5).
 * Per token: `L = w_RL·L_GRPO + w_OPD·L_OPD (+ klCoef·k3 − entropyCoef·H)`, where
 * `L_GRPO = max(−r·ρ_t, −r·clip(ρ_t))` on the sampled token (samples with hasGRPO) and
 * `L_OPD = Σ_{v∈S_t} max(−A_v·ρ_v, −A_v·clip(ρ_v))` (samples with hasOPD); mean over a sample's trained
 * tokens (a sample with none adds 0), then mean over the N samples. With `batch.behaviourWeights` (METHOD §7)
 * both terms of token t are multiplied by its weight; the KL and entropy terms are not.
 * Inside `tf.variableGrads` / `tf.tidy`, `tf.keep` the terms to read them afterwards.
 */
export function hybridLoss(currentLogits: tf.Tensor3D, batch: SampleBatch, settings: LossSettings): HybridLoss {
  if (settings.klCoef > 0 && !batch.refLogprobs) throw new RangeError('hybridLoss: klCoef > 0 needs batch.refLogprobs');
  const [N, T] = currentLogits.shape;
  if (batch.sampledIds.shape[0] !== N || batch.sampledIds.shape[1] !== T) {
    throw new RangeError(`hybridLoss: logits are [${N}, ${T}, ·] but the batch is [${batch.sampledIds.shape.join(', ')}]`);
  }
  const { epsLo, epsHi } = settings;
  const logprobs = tf.logSoftmax(tf.div(currentLogits, settings.temperature)) as tf.Tensor3D;
  const lpSampled = gatherLast(logprobs, batch.sampledIds);

  // METHOD §7: a stale sample's policy terms are weighted per token by its behaviour importance weight.
  const behaviour = (perToken: tf.Tensor) => (batch.behaviourWeights ? tf.mul(perToken, batch.behaviourWeights) : perToken);
  const grpoPerToken = behaviour(tf.mul(clippedSurrogate(lpSampled, batch.oldLogprobs, tf.expandDims(batch.reward, 1), epsLo, epsHi), tf.expandDims(batch.hasGRPO, 1)));
  const lpSupport = gatherLast(logprobs, batch.supportIds);
  const opdPerEntry = tf.mul(clippedSurrogate(lpSupport, batch.oldLogprobsAtSupport, batch.advantages, epsLo, epsHi), batch.supportMask);
  const opdPerToken = behaviour(tf.mul(tf.sum(opdPerEntry, 2), tf.expandDims(batch.hasOPD, 1)));
  const klPerToken = batch.refLogprobs
    ? tf.sub(tf.add(tf.exp(tf.neg(tf.sub(lpSampled, batch.refLogprobs))), tf.sub(lpSampled, batch.refLogprobs)), 1)
    : tf.zerosLike(lpSampled);
  const entropyPerToken = tf.neg(tf.sum(tf.mul(tf.exp(logprobs), logprobs), 2));

  const tokens = tf.maximum(tf.sum(batch.responseMask, 1), 1);
  const aggregate = (perToken: tf.Tensor): tf.Scalar => tf.mean(tf.div(tf.sum(tf.mul(perToken, batch.responseMask), 1), tokens));
  const terms = { grpo: aggregate(grpoPerToken), opd: aggregate(opdPerToken), kl: aggregate(klPerToken), entropy: aggregate(entropyPerToken) };
  const loss = tf.addN([
    tf.mul(terms.grpo, settings.wRL),
    tf.mul(terms.opd, settings.wOPD),
    tf.mul(terms.kl, settings.klCoef),
    tf.mul(terms.entropy, -settings.entropyCoef),
  ]) as tf.Scalar;
  return { loss, terms, sampledLogprobs: lpSampled as tf.Tensor2D };
}
