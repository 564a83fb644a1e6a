/**
 * Decoding several prompts together (a server's concurrent requests): each row gives what `generate` gives it
 * alone — tokens, log-probs, streamed tokens and stop — whatever the other rows' lengths, options and stops; and
 * the policy engine batches the requests that arrive while a reply decodes.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Policy } from '../../src/model/policy.ts';
import { generate, generateBatch, type BatchPrompt, type GenerateResult } from '../../src/model/generate.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { MINI, useWasm, randomIds } from './model-helpers.ts';
import { randomCheckpoint, smallConfig } from '../support/random-checkpoint.ts';

beforeAll(useWasm);

function expectSame(batched: GenerateResult, alone: GenerateResult, label: string) {
  expect(batched.ids, label).toEqual(alone.ids);
  expect(batched.stopped, label).toBe(alone.stopped);
  expect(batched.logprobs.length, label).toBe(alone.logprobs.length);
  batched.logprobs.forEach((lp, i) => expect(Math.abs(lp - alone.logprobs[i]), `${label} token ${i}`).toBeLessThan(1e-4));
}

describe('generateBatch', () => {
  it('gives every row what generate gives it alone: odd lengths, own options, early stops and a full cache', async () => {
    const p = Policy.create(MINI, 11);
    const streamed: number[][] = [[], [], [], []];
    const stopFirst = (await p.generate(randomIds(1, 9), { maxTokens: 12, seed: 5, temperature: 0.9 })).ids[3];
    const prompts: BatchPrompt[] = [
      { promptIds: randomIds(1, 9), options: { maxTokens: 12, seed: 5, temperature: 0.9, stopIds: [stopFirst] } },
      { promptIds: randomIds(2, 3), options: { maxTokens: 15, seed: 6, temperature: 0.6, topP: 0.8 } },
      { promptIds: randomIds(3, 17), options: { maxTokens: 60, seed: 7, temperature: 0 } }, // greedy, until the cache is full: 64 − 17 + 1 = 48 tokens
      { promptIds: randomIds(4, 1), options: { maxTokens: 4, seed: 8, temperature: 1.2 } },
    ];
    const tensors = tf.memory().numTensors;
    const batched = await generateBatch(p, prompts.map((q, b) => ({ ...q, options: { ...q.options, onToken: (id) => streamed[b].push(id) } })));
    expect(tf.memory().numTensors).toBe(tensors);
    for (const [b, q] of prompts.entries()) {
      const alone = await generate(p, q.promptIds, q.options);
      expectSame(batched[b], alone, `row ${b}`);
      expect(streamed[b]).toEqual(alone.ids);
    }
    expect(batched[0].stopped).toBe('end');
    expect(batched[0].ids.length).toBeLessThanOrEqual(4);
    expect(batched[2].ids.length).toBe(48);
    p.dispose();
  });

  it('does so on the Hugging Face variations of the graph: grouped-query attention, q/k/v biases, q/k norm, own head, llama3 rope', async () => {
    const config = {
      vocabSize: 23, dModel: 48, nLayers: 2, nHeads: 6, nKvHeads: 2, headDim: 8, dFF: 64, maxLen: 64, ropeBase: 1e6, rmsEps: 1e-6,
      qkvBias: true, qkNorm: true, tiedEmbedding: false, ropeScaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxLen: 32 },
    };
    const p = Policy.create(config, 13);
    const prompts: BatchPrompt[] = [
      { promptIds: randomIds(7, 11), options: { maxTokens: 9, seed: 1, temperature: 0.8 } },
      { promptIds: randomIds(8, 4), options: { maxTokens: 12, seed: 2, temperature: 0 } },
      { promptIds: randomIds(9, 30), options: { maxTokens: 6, seed: 3, temperature: 1 } },
    ];
    const batched = await generateBatch(p, prompts);
    for (const [b, q] of prompts.entries()) expectSame(batched[b], await generate(p, q.promptIds, q.options), `row ${b}`);
    p.dispose();
  });

  it('refuses a batch where a reply would not fit next to the longest prompt', async () => {
    const p = Policy.create(MINI, 12);
    // alone, the 2-token prompt may reply 30 tokens; beside a 50-token prompt only 64 − 50 + 1 = 15 fit
    await expect(generateBatch(p, [
      { promptIds: randomIds(5, 50), options: { maxTokens: 10 } },
      { promptIds: randomIds(6, 2), options: { maxTokens: 30 } },
    ])).rejects.toThrow(/would not fit/);
    p.dispose();
  });
});

describe('PolicyEngine batching', () => {
  it('decodes requests that arrive during a reply together, each as it would be alone', async () => {
    const checkpoint = await randomCheckpoint(21, smallConfig({ maxLen: 192 }));
    const engine = new PolicyEngine();
    await engine.init('wasm');
    await engine.load(checkpoint, 0);
    const questions = ['what is 2 plus 3?', 'hello', 'name a colour please, a bright one', 'why?'];
    const request = (q: string, seed: number) => ({ sessionId: `s${seed}`, messages: [{ role: 'user' as const, content: q }], sampling: { temperature: 0.7, topP: 1, maxTokens: 16, seed } });
    const alone: Awaited<ReturnType<PolicyEngine['reply']>>[] = [];
    for (const [i, q] of questions.entries()) alone.push(await engine.reply(request(q, i + 1)));
    // count the forward passes: sequentially one per token of each reply; batched, the three later requests share theirs
    const policy = (engine as unknown as { policy: Policy }).policy;
    const forward = policy.forward.bind(policy);
    let passes = 0;
    let widest = 0;
    policy.forward = (ids, ...rest) => {
      passes++;
      widest = Math.max(widest, ids.shape[0]);
      return forward(ids, ...rest);
    };
    const pieces: string[][] = questions.map(() => []);
    const together = await Promise.all(questions.map((q, i) => engine.reply(request(q, i + 1), (piece) => pieces[i].push(piece))));
    for (const [i, r] of together.entries()) {
      expect(r.responseIds, questions[i]).toEqual(alone[i].responseIds);
      expect(r.text).toBe(alone[i].text);
      expect(r.promptIds).toEqual(alone[i].promptIds);
      expect(pieces[i].join('')).toBe(r.text);
      r.responseLogprobs.forEach((lp, t) => expect(Math.abs(lp - alone[i].responseLogprobs[t])).toBeLessThan(1e-4));
    }
    const sequential = alone.reduce((n, r) => n + r.responseIds.length, 0);
    expect(widest).toBe(3);
    expect(passes).toBeLessThan(sequential);
  });
});
