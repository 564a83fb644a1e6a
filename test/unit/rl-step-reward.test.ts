/**
 * Environments' step reward (METHOD §2): `outcome + mean(valid votes)` is the r of the GRPO term; its sign
 * picks the sample's case, the record carries it as `reward.step`, and the validator accepts it.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../src/model/rng.ts';
import { stepReward } from '../../src/rl/judge/vote.ts';
import { buildSample } from '../../src/rl/sample.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import { validateRecord } from '../../src/rl/record-validate.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';

describe('step reward', () => {
  it('is the outcome plus the mean of the valid votes, and trains as r', async () => {
    await tf.setBackend('wasm');
    const rng = createRng(Math.floor(Math.random() * 2 ** 31));
    for (let i = 0; i < 20; i++) {
      const votes: (number | null)[] = Array.from({ length: 1 + Math.floor(rng() * 5) }, () => (rng() < 0.2 ? null : rng() < 0.5 ? 1 : -1));
      const outcome = [-1, 0, 1][Math.floor(rng() * 3)];
      const valid = votes.filter((v): v is number => v !== null);
      const expected = outcome + (valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : 0);
      const step = stepReward(outcome, votes);
      expect(step).toBeCloseTo(expected, 12);
      const score = Math.sign(step) as -1 | 0 | 1;
      const T = 1 + Math.floor(rng() * 4);
      const sample = buildSample({ sessionId: 's', turn: 1, policyVersion: 0, promptIds: [1, 2], responseIds: Array(T).fill(3), responseLogprobs: Array(T).fill(-1), score, stepReward: step, hints: [] }, DEFAULT_SETTINGS);
      if (score === 0) { expect(sample).toBeNull(); continue; }
      expect(sample!.reward).toEqual({ score, step });
      expect(validateRecord('sample', sample)).toBeNull();
      const batch = batchFromSamples([sample!], { C: 2 });
      expect(Array.from(await batch.reward.data())[0]).toBeCloseTo(step, 6);
      disposeBatch(batch);
    }
    expect(validateRecord('sample', { ...buildSample({ sessionId: 's', turn: 1, policyVersion: 0, promptIds: [1], responseIds: [3], responseLogprobs: [-1], score: 1, hints: [] }, DEFAULT_SETTINGS)!, reward: { score: 1, step: 'two' } }))
      .toMatch(/reward\.step must be a finite number/);
  });
});
