import * as tf from '@tensorflow/tfjs';
import type { Policy } from './policy.ts';
import { KvCache } from './kv-cache.ts';
import { createRng } from './rng.ts';
import { sampleToken } from './sampling.ts';

export interface GenerateOptions {
  maxTokens: number;
  /** Sampling temperature (default 0.6); <= 0 is greedy. */
  temperature?: number;
  topP?: number;
  /** Same seed, same weights, same prompt: same reply. */
  seed?: number;
  /** Tokens that end the reply (e.g. <|end|>); the stop token is included in the result. */
  stopIds?: readonly number[];
  /** Called with every sampled token as soon as it is known (streaming), its log-prob and the logits it was drawn from. */
  onToken?: (id: number, logprob: number, logits: Float32Array) => void;
}

export interface GenerateResult {
  ids: number[];
  /** Per sampled token: log-softmax(logits/temperature) of it under the sampling policy. */
  logprobs: number[];
  stopped: 'end' | 'length';
}

async function lastRow(logits: tf.Tensor2D): Promise<Float32Array> {
  const row = tf.tidy(() => tf.slice(logits, [logits.shape[0] - 1, 0], [1, logits.shape[1]]));
  const data = (await row.data()) as Float32Array;
  row.dispose();
  return data;
}

/** Prefill the prompt once, then decode one token at a time against the KV cache. */
export async function generate(policy: Policy, promptIds: readonly number[], o: GenerateOptions): Promise<GenerateResult> {
  if (promptIds.length === 0) throw new Error('generate: empty prompt');
  const temperature = o.temperature ?? 0.6;
  const topP = o.topP ?? 1;
  const rng = createRng(o.seed ?? 0);
  const stop = new Set(o.stopIds ?? []);
  const cache = new KvCache();
  const result: GenerateResult = { ids: [], logprobs: [], stopped: 'length' };
  try {
    let input = Array.from(promptIds);
    let start = 0;
    while (result.ids.length < o.maxTokens && start + input.length <= policy.config.maxLen) {
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(input, [1, input.length], 'int32');
        const { logits, layers } = policy.forward(ids, start, cache.length ? cache : undefined, undefined, input.length - 1);
        cache.replace(layers);
        return logits;
      });
      const row = await lastRow(logits);
      logits.dispose();
      start += input.length;
      const { id, logprob } = sampleToken(row, temperature, topP, rng);
      result.ids.push(id);
      result.logprobs.push(logprob);
      o.onToken?.(id, logprob, row);
      if (stop.has(id)) {
        result.stopped = 'end';
        break;
      }
      input = [id];
    }
  } finally {
    cache.dispose();
  }
  return result;
}
