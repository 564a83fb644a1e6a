import * as tf from '@tensorflow/tfjs';
import type { Policy } from './policy.ts';
import { clipByGlobalNorm, type Adam } from './adam.ts';

/**
 * One optimizer step on the policy's trainable variables — the adapter's when it carries one, else every weight:
 * gradient of `loss`, global-norm clip (≤ 0: off), one Adam step. The one training path for pretraining, full
 * fine-tuning and LoRA. Returns the loss before the step and the gradient norm.
 */
export function optimizerStep(policy: Policy, adam: Adam, loss: () => tf.Scalar, lr: number, clip: number): { loss: number; gradNorm: number } {
  const trainable = policy.trainableVariables;
  const names = [...trainable.keys()];
  if (policy.adapter) policy.adapter.training = true;
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    result = tf.variableGrads(loss, names.map((n) => trainable.get(n)!));
  } finally {
    if (policy.adapter) policy.adapter.training = false;
  }
  const byName: Record<string, tf.Tensor> = {};
  names.forEach((n) => (byName[n] = result.grads[trainable.get(n)!.name]));
  const gradNorm = clipByGlobalNorm(byName, clip > 0 ? clip : Infinity);
  adam.apply(byName, lr);
  const value = result.value.dataSync()[0];
  result.value.dispose();
  for (const g of Object.values(byName)) g.dispose();
  return { loss: value, gradNorm };
}
