/**
 * samplesResponseLogits runs the output layer only from the earliest response row on: its logits must be the
 * ones the full forward gives at each sample's response rows (prompts of different lengths, padded replies).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Policy } from '../../src/model/policy.ts';
import { initialWeights } from '../../src/model/weights.ts';
import { samplesResponseLogits } from '../../src/workers/response-logits.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import { createRng } from '../../src/model/rng.ts';
import { MINI, useWasm } from './model-helpers.ts';

beforeAll(useWasm);

describe('samplesResponseLogits', () => {
  it('equals the full forward at every response row, for prompts and replies of different lengths', () => {
    const policy = new Policy(MINI, initialWeights(MINI, 5));
    const rng = createRng(9);
    const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * MINI.vocabSize));
    const samples = [[7, 5], [3, 6], [12, 2]].map(([p, r]) => ({ prompt_ids: ids(p), response_ids: ids(r) }) as SampleRecord);
    const T = 6;
    const got = samplesResponseLogits(policy, samples, T).arraySync();
    for (const [n, s] of samples.entries()) {
      const input = [...s.prompt_ids, ...s.response_ids].slice(0, -1);
      const full = tf.tidy(() => policy.logits(tf.tensor2d(input, [1, input.length], 'int32')).arraySync()[0]);
      for (let t = 0; t < T; t++) {
        const want = t < s.response_ids.length ? full[s.prompt_ids.length - 1 + t] : new Array<number>(MINI.vocabSize).fill(0);
        for (let v = 0; v < MINI.vocabSize; v++) expect(Math.abs(got[n][t][v] - want[v])).toBeLessThan(1e-5);
      }
    }
    policy.dispose();
  });
});
