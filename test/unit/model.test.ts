import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Policy } from '../../src/model/policy.ts';
import { KvCache } from '../../src/model/kv-cache.ts';
import { parameterCount, presetConfig } from '../../src/model/presets.ts';
import { MINI, useWasm, randomIds, referenceLogSoftmax } from './model-helpers.ts';

beforeAll(useWasm);

function fullLogits(p: Policy, ids: number[], start = 0): Float32Array {
  return tf.tidy(() => p.forward(tf.tensor2d([ids], [1, ids.length], 'int32'), start).logits.dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('policy network', () => {
  it('has the parameter count of its config, and presets of the intended sizes', () => {
    const p = Policy.create(MINI, 1);
    expect(p.parameterCount).toBe(parameterCount(MINI));
    // 23·32 + 2·(2·32 + 32·96 + 32·32 + 3·32·48) + 32
    expect(p.parameterCount).toBe(736 + 2 * (64 + 3072 + 1024 + 4608) + 32);
    p.dispose();
    const tiny = parameterCount(presetConfig('tiny', 105));
    const small = parameterCount(presetConfig('small', 105));
    expect(tiny).toBeGreaterThan(0.7e6);
    expect(tiny).toBeLessThan(1.3e6);
    expect(small).toBeGreaterThan(3e6);
    expect(small).toBeLessThan(5e6);
  });

  it('gives logits of shape [B, T, V] and is deterministic for a seed', () => {
    const a = Policy.create(MINI, 7);
    const b = Policy.create(MINI, 7);
    const ids = tf.tensor2d([randomIds(1, 9), randomIds(2, 9), randomIds(3, 9)], [3, 9], 'int32');
    const la = a.logits(ids);
    const lb = b.logits(ids);
    expect(la.shape).toEqual([3, 9, MINI.vocabSize]);
    expect(maxAbsDiff(la.dataSync(), lb.dataSync())).toBe(0);
    tf.dispose([ids, la, lb]);
    a.dispose();
    b.dispose();
  });

  it('is causal: changing a later token never changes earlier logits', () => {
    const p = Policy.create(MINI, 2);
    const ids = randomIds(11, 24);
    const base = fullLogits(p, ids);
    for (const j of [5, 13, 23]) {
      const changed = ids.slice();
      changed[j] = (changed[j] + 1) % MINI.vocabSize;
      const other = fullLogits(p, changed);
      const v = MINI.vocabSize;
      expect(maxAbsDiff(base.subarray(0, j * v), other.subarray(0, j * v))).toBeLessThan(1e-6);
      expect(maxAbsDiff(base.subarray(j * v, (j + 1) * v), other.subarray(j * v, (j + 1) * v))).toBeGreaterThan(1e-4);
    }
    p.dispose();
  });

  it('depends on relative positions only (rotary): shifting every position gives the same logits', () => {
    const p = Policy.create(MINI, 3);
    const ids = randomIds(12, 16);
    expect(maxAbsDiff(fullLogits(p, ids, 0), fullLogits(p, ids, 29))).toBeLessThan(2e-4);
    // but the order of tokens matters
    const swapped = ids.slice();
    [swapped[2], swapped[9]] = [swapped[9], swapped[2]];
    expect(maxAbsDiff(fullLogits(p, ids).subarray(-MINI.vocabSize), fullLogits(p, swapped).subarray(-MINI.vocabSize))).toBeGreaterThan(1e-4);
    p.dispose();
  });

  it('KV-cached decode gives the full forward logits at every step', () => {
    const p = Policy.create(MINI, 4);
    const ids = randomIds(13, 30);
    const full = fullLogits(p, ids);
    const v = MINI.vocabSize;
    const cache = new KvCache();
    const prefill = 11;
    const first = tf.tidy(() => {
      const out = p.forward(tf.tensor2d([ids.slice(0, prefill)], [1, prefill], 'int32'), 0);
      cache.replace(out.layers);
      return out.logits.dataSync();
    });
    expect(maxAbsDiff(first, full.subarray(0, prefill * v))).toBeLessThan(1e-4);
    for (let pos = prefill; pos < ids.length; pos++) {
      const row = tf.tidy(() => {
        const out = p.forward(tf.tensor2d([[ids[pos]]], [1, 1], 'int32'), pos, cache);
        cache.replace(out.layers);
        return out.logits.dataSync();
      });
      expect(maxAbsDiff(row, full.subarray(pos * v, (pos + 1) * v))).toBeLessThan(1e-4);
    }
    expect(cache.length).toBe(ids.length);
    cache.dispose();
    p.dispose();
  });

  it('score matches a direct log-softmax of logits/temperature, with top-k in order', async () => {
    const p = Policy.create(MINI, 5);
    const context = randomIds(14, 9);
    const response = randomIds(15, 12);
    const temperature = 0.6;
    const k = 5;
    const full = fullLogits(p, [...context, ...response]);
    const v = MINI.vocabSize;
    const s = await p.score(context, response, { k, temperature });
    for (let i = 0; i < response.length; i++) {
      const pos = context.length - 1 + i;
      const ref = referenceLogSoftmax(full.subarray(pos * v, (pos + 1) * v), temperature);
      expect(s.tokenLogprobs[i]).toBeCloseTo(ref[response[i]], 4);
      const lse = full[pos * v + response[i]] / temperature - ref[response[i]];
      expect(s.logSumExp[i]).toBeCloseTo(lse, 4);
      const order = ref.map((lp, id) => ({ lp, id })).sort((a, b) => b.lp - a.lp || a.id - b.id);
      expect(Array.from(s.topIds.subarray(i * k, (i + 1) * k))).toEqual(order.slice(0, k).map((o) => o.id));
      for (let j = 0; j < k; j++) expect(s.topLogprobs[i * k + j]).toBeCloseTo(order[j].lp, 4);
    }
    const kept = await p.score(context, response, { k, temperature, keepLogits: true });
    expect(kept.logits!.shape).toEqual([response.length, v]);
    expect(maxAbsDiff(kept.logits!.dataSync(), full.subarray((context.length - 1) * v, (context.length - 1 + response.length) * v).map((x) => x / temperature))).toBeLessThan(1e-4);
    kept.logits!.dispose();
    p.dispose();
  });

  it('breaks top-k ties by the lower id', async () => {
    const p = Policy.create(MINI, 6);
    const zeros: Record<string, Float32Array> = {};
    for (const [name, w] of Object.entries(p.getWeights())) zeros[name] = name.endsWith('norm') ? w : new Float32Array(w.length);
    p.setWeights(zeros); // every logit is 0: all tokens tie
    const s = await p.score([1, 2], [3, 4], { k: 4 });
    expect(Array.from(s.topIds)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(s.topLogprobs[0]).toBeCloseTo(-Math.log(MINI.vocabSize), 5);
    p.dispose();
  });

  it('seeded generate is reproducible, streams every token, and reports the sampling log-probs', async () => {
    const p = Policy.create(MINI, 8);
    const prompt = randomIds(16, 6);
    const streamed: number[] = [];
    const a = await p.generate(prompt, { maxTokens: 20, seed: 42, temperature: 0.9, onToken: (id) => streamed.push(id) });
    const b = await p.generate(prompt, { maxTokens: 20, seed: 42, temperature: 0.9 });
    const c = await p.generate(prompt, { maxTokens: 20, seed: 43, temperature: 0.9 });
    expect(a.ids).toEqual(b.ids);
    expect(a.logprobs).toEqual(b.logprobs);
    expect(c.ids).not.toEqual(a.ids);
    expect(streamed).toEqual(a.ids);
    expect(a.ids.length).toBe(20);
    expect(a.stopped).toBe('length');
    // the log-probs agree with an independent teacher-forced full forward at the same temperature
    const s = await p.score(prompt, a.ids, { temperature: 0.9 });
    for (let i = 0; i < a.ids.length; i++) expect(a.logprobs[i]).toBeCloseTo(s.tokenLogprobs[i], 4);
    // stopping: the first sampled token that is a stop id ends the reply and is included
    const stopId = a.ids[5];
    const d = await p.generate(prompt, { maxTokens: 20, seed: 42, temperature: 0.9, stopIds: [stopId] });
    expect(d.stopped).toBe('end');
    expect(d.ids).toEqual(a.ids.slice(0, a.ids.indexOf(stopId) + 1));
    p.dispose();
  });

  it('greedy decoding picks the most likely token', async () => {
    const p = Policy.create(MINI, 9);
    const prompt = randomIds(17, 5);
    const g = await p.generate(prompt, { maxTokens: 1, temperature: 0 });
    const full = fullLogits(p, prompt).subarray(-MINI.vocabSize);
    expect(g.ids[0]).toBe(full.indexOf(Math.max(...full)));
    p.dispose();
  });

  it('clone is independent; getWeights/setWeights round-trip', () => {
    const p = Policy.create(MINI, 10);
    const q = p.clone();
    const ids = randomIds(18, 8);
    const before = fullLogits(q, ids);
    p.setWeights(Policy.create(MINI, 99).getWeights());
    expect(maxAbsDiff(fullLogits(q, ids), before)).toBe(0);
    expect(maxAbsDiff(fullLogits(p, ids), before)).toBeGreaterThan(1e-4);
    q.setWeights(p.getWeights());
    expect(maxAbsDiff(fullLogits(q, ids), fullLogits(p, ids))).toBe(0);
    p.dispose();
    q.dispose();
  });

  it('leaks no tensors in generate, score and forward', async () => {
    const p = Policy.create(MINI, 11);
    await p.generate([1, 2, 3], { maxTokens: 4 });
    const n = tf.memory().numTensors;
    await p.generate([1, 2, 3], { maxTokens: 6, stopIds: [0] });
    await p.score([1, 2, 3], [4, 5, 6]);
    tf.dispose(p.logits(tf.tensor2d([[1, 2]], [1, 2], 'int32')));
    expect(tf.memory().numTensors).toBe(n + 1); // the input tensor above
    p.dispose();
  });
});
