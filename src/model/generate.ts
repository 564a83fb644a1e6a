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

/** One prompt of a batch decoded together (`generateBatch`). */
export interface BatchPrompt {
  promptIds: readonly number[];
  options: GenerateOptions;
}

/** The most tokens `generate` samples for a prompt of `promptLength` tokens: the cache holds maxLen slots. */
export function replyRoom(maxLen: number, promptLength: number, maxTokens: number): number {
  return Math.min(maxTokens, maxLen - promptLength + 1);
}

/**
 * Several prompts decoded together, one forward pass per step for all of them (a server's concurrent requests):
 * left-padded to the longest (padding slots are never attended to, and a row's positions count from its first
 * real token), each row sampled with its own options and random stream, streamed through its own `onToken`, and
 * ending at its own stop token or length. A row finished early rides along until the last one ends, its outputs
 * unread. Each row's tokens and log-probs are those `generate` gives it alone, up to float rounding. Every row must
 * fit its whole reply next to the longest prompt (`replyRoom` of the longest ≥ each row's own); one prompt is
 * simply `generate`.
 */
export async function generateBatch(policy: Policy, prompts: readonly BatchPrompt[]): Promise<GenerateResult[]> {
  if (prompts.length === 1) return [await generate(policy, prompts[0].promptIds, prompts[0].options)];
  if (prompts.some((p) => p.promptIds.length === 0)) throw new Error('generateBatch: empty prompt');
  const maxLen = policy.config.maxLen;
  const longest = Math.max(...prompts.map((p) => p.promptIds.length));
  const limits = prompts.map((p) => replyRoom(maxLen, p.promptIds.length, p.options.maxTokens));
  if (limits.some((n) => n > replyRoom(maxLen, longest, n))) throw new Error('generateBatch: a reply would not fit next to the longest prompt');
  const rows = prompts.map((p, b) => ({
    limit: limits[b],
    temperature: p.options.temperature ?? 0.6,
    topP: p.options.topP ?? 1,
    rng: createRng(p.options.seed ?? 0),
    stop: new Set(p.options.stopIds ?? []),
    onToken: p.options.onToken,
    result: { ids: [], logprobs: [], stopped: 'length' } as GenerateResult,
    done: limits[b] <= 0,
  }));
  const padding = prompts.map((p) => longest - p.promptIds.length);
  const V = policy.config.vocabSize;
  const cache = new KvCache();
  try {
    // the padding slots hold any token (the first of the row's prompt): they are masked
    let input = prompts.map((p, b) => [...new Array<number>(padding[b]).fill(p.promptIds[0]), ...p.promptIds]);
    let start = 0;
    while (rows.some((r) => !r.done)) {
      const width = input[0].length;
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(input.flat(), [rows.length, width], 'int32');
        const { logits, layers } = policy.forward(ids, start, cache.length ? cache : undefined, padding, width - 1);
        cache.replace(layers);
        return logits;
      });
      const all = (await logits.data()) as Float32Array;
      logits.dispose();
      start += width;
      input = rows.map((row, b) => {
        if (row.done) return [row.result.ids.at(-1) ?? prompts[b].promptIds.at(-1)!];
        const logitsRow = all.slice(b * V, (b + 1) * V);
        const { id, logprob } = sampleToken(logitsRow, row.temperature, row.topP, row.rng);
        row.result.ids.push(id);
        row.result.logprobs.push(logprob);
        row.onToken?.(id, logprob, logitsRow);
        if (row.stop.has(id)) {
          row.result.stopped = 'end';
          row.done = true;
        } else if (row.result.ids.length >= row.limit) row.done = true;
        return [id];
      });
    }
  } finally {
    cache.dispose();
  }
  return rows.map((r) => r.result);
}
