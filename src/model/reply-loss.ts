import * as tf from '@tensorflow/tfjs';
import type { Policy } from './policy.ts';
import type { Adam } from './adam.ts';
import { optimizerStep } from './optimizer-step.ts';

/** A padded batch: ids [B, T] and a loss mask [B, T] that is 1 on reply tokens (assistant content and <|end|>). */
export interface TokenBatch {
  ids: number[][];
  lossMask: number[][];
}

/** Right-pad sequences to one length (padding is never attended to by earlier positions, and is masked out). */
export function padBatch(rows: { ids: readonly number[]; lossMask: readonly number[] }[], padId: number): TokenBatch {
  const len = Math.max(...rows.map((r) => r.ids.length));
  return {
    ids: rows.map((r) => [...r.ids, ...new Array(len - r.ids.length).fill(padId)]),
    lossMask: rows.map((r) => [...r.lossMask, ...new Array(len - r.lossMask.length).fill(0)]),
  };
}

/** Mean next-token cross-entropy over the positions whose target is a reply token. */
export function replyLoss(policy: Policy, batch: TokenBatch): tf.Scalar {
  return tf.tidy(() => {
    const b = batch.ids.length;
    const t = batch.ids[0].length - 1;
    const inputs = tf.tensor2d(batch.ids.map((r) => r.slice(0, -1)), [b, t], 'int32');
    const targets = tf.tensor1d(batch.ids.flatMap((r) => r.slice(1)), 'int32');
    const weights = tf.tensor1d(batch.lossMask.flatMap((r) => r.slice(1)), 'float32');
    const { logits } = policy.forward(inputs);
    // one-hot picking rather than gather: wasm has no gather gradient.
    const picked = tf.sum(tf.mul(logits, tf.oneHot(targets, policy.config.vocabSize)), 1);
    const nll = tf.sub(tf.logSumExp(logits, 1), picked);
    return tf.div(tf.sum(tf.mul(nll, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}

/** Forward, backward, global-norm clip, one Adam step. Returns the loss before the step and the gradient norm. */
export function trainStep(policy: Policy, adam: Adam, batch: TokenBatch, lr: number, clip = 1.0): { loss: number; gradNorm: number } {
  return optimizerStep(policy, adam, () => replyLoss(policy, batch), lr, clip);
}

/** Linear warm-up over `warmup` steps to `peak`, then cosine decay to floor·peak as `progress` goes 0 -> 1. */
export function learningRate(step: number, peak: number, warmup: number, progress: number, floor = 0.1): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const p = Math.min(1, Math.max(0, progress));
  return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
