import * as tf from '@tensorflow/tfjs';
import type { Policy } from './policy.ts';
import { clipByGlobalNorm, type Adam } from './adam.ts';

/**
 * One optimizer step on the policy's trainable variables — the adapter's when it carries one, else every weight:
 * gradient of `loss`, global-norm clip (≤ 0: off), one Adam step. The one training path for pretraining, full
 * fine-tuning and LoRA. `loss` may be a list of parts whose sum is the loss (micro-batches): their gradients are
 * taken one at a time and summed, so only one part's activations are alive at once. Returns the loss before the
 * step and the gradient norm. `checkpointing`: an adapter's layers are recomputed in the backward (LoraAdapter),
 * as the memory plan says (update-memory.ts planUpdate).
 */
export function optimizerStep(
  policy: Policy,
  adam: Adam,
  loss: (() => tf.Scalar) | (() => tf.Scalar)[],
  lr: number,
  clip: number,
  { checkpointing = false }: { checkpointing?: boolean } = {},
): { loss: number; gradNorm: number } {
  const trainable = policy.trainableVariables;
  const names = [...trainable.keys()];
  const variables = names.map((n) => trainable.get(n)!);
  const parts = Array.isArray(loss) ? loss : [loss];
  if (policy.adapter) {
    if (checkpointing && policy.adapter.config.dropout > 0) throw new RangeError('optimizerStep: gradient checkpointing needs LoRA dropout 0');
    policy.adapter.training = true;
    policy.adapter.checkpointing = checkpointing;
  }
  const byName: Record<string, tf.Tensor> = {};
  let value = 0;
  try {
    for (const part of parts) {
      const result = tf.variableGrads(part, variables);
      value += result.value.dataSync()[0];
      result.value.dispose();
      for (const n of names) {
        const g = result.grads[trainable.get(n)!.name];
        if (!byName[n]) byName[n] = g;
        else {
          const sum = tf.add(byName[n], g);
          byName[n].dispose();
          g.dispose();
          byName[n] = sum;
        }
      }
    }
  } catch (e) {
    for (const g of Object.values(byName)) g.dispose();
    throw e;
  } finally {
    if (policy.adapter) policy.adapter.training = policy.adapter.checkpointing = false;
  }
  const gradNorm = clipByGlobalNorm(byName, clip > 0 ? clip : Infinity);
  adam.apply(byName, lr);
  for (const g of Object.values(byName)) g.dispose();
  return { loss: value, gradNorm };
}
