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

/** Prefill the prompt once, then decode one token at a time against the KV cache. */
export async function generate(policy: Policy, promptIds: readonly number[], options: GenerateOptions): Promise<GenerateResult> {
  return (await generateBatch(policy, [{ promptIds, options }]))[0];
}

/** One prompt of a batch decoded together (`generateBatch`). */
export interface BatchPrompt {
  promptIds: readonly number[];
  options: GenerateOptions;
}

/** The most tokens a reply to a prompt of `promptLength` tokens may take, alone: the cache holds maxLen slots. */
export function replyRoom(maxLen: number, promptLength: number, maxTokens: number): number {
  return Math.min(maxTokens, maxLen - promptLength + 1);
}

/**
 * Whether prompts can be decoded together: left-padded to the longest, every reply must still have the room it
 * has alone (`replyRoom`).
 */
export function fitTogether(maxLen: number, prompts: readonly { promptLength: number; maxTokens: number }[]): boolean {
  const longest = Math.max(...prompts.map((p) => p.promptLength));
  return prompts.every((p) => replyRoom(maxLen, p.promptLength, p.maxTokens) <= replyRoom(maxLen, longest, p.maxTokens));
}

/**
 * Prompts decoded together, one forward pass per step for all of them (a server's concurrent requests; one prompt
 * is `generate`): left-padded to the longest (padding slots are never attended to, and a row's positions count
 * from its first real token), each row sampled with its own options and random stream, streamed through its own
 * `onToken`, and ending at its own stop token or length. A row finished early rides along until the last one ends,
 * its outputs unread. Each row's tokens and log-probs are those it gets alone, up to float rounding; the prompts
 * must `fitTogether`.
 */
export async function generateBatch(policy: Policy, prompts: readonly BatchPrompt[]): Promise<GenerateResult[]> {
  if (prompts.some((p) => p.promptIds.length === 0)) throw new Error('generate: empty prompt');
  const maxLen = policy.config.maxLen;
  if (!fitTogether(maxLen, prompts.map((p) => ({ promptLength: p.promptIds.length, maxTokens: p.options.maxTokens })))) {
    throw new Error('generateBatch: a reply would not fit next to the longest prompt');
  }
  const longest = Math.max(...prompts.map((p) => p.promptIds.length));
  const rows = prompts.map((p) => {
    const limit = replyRoom(maxLen, p.promptIds.length, p.options.maxTokens);
    return {
      limit,
      temperature: p.options.temperature ?? 0.6,
      topP: p.options.topP ?? 1,
      rng: createRng(p.options.seed ?? 0),
      stop: new Set(p.options.stopIds ?? []),
      onToken: p.options.onToken,
      result: { ids: [], logprobs: [], stopped: 'length' } as GenerateResult,
      done: limit <= 0,
    };
  });
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
