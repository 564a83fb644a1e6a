import { describe, it, expect } from 'vitest';
import { sampleToken, logSoftmax } from '../../src/model/sampling.ts';
import { createRng } from '../../src/model/rng.ts';
import { referenceLogSoftmax } from './model-helpers.ts';

describe('sampling', () => {
  const logits = [1.2, 0.3, 2.0, -1.0, 0.3, 1.9];

  it('log-softmax over logits/temperature matches the reference', () => {
    const got = logSoftmax(logits, 0.6);
    referenceLogSoftmax(logits, 0.6).forEach((x, i) => expect(got[i]).toBeCloseTo(x, 10));
  });

  it('draws tokens with the probabilities of softmax(logits/temperature)', () => {
    const rng = createRng(5);
    const counts = new Array(logits.length).fill(0);
    const draws = 20000;
    for (let i = 0; i < draws; i++) counts[sampleToken(logits, 0.8, 1, rng).id]++;
    const expected = referenceLogSoftmax(logits, 0.8).map(Math.exp);
    counts.forEach((c, i) => expect(Math.abs(c / draws - expected[i])).toBeLessThan(0.015));
  });

  it('top-p keeps the smallest most-likely set reaching p, renormalised; log-probs stay global', () => {
    const rng = createRng(6);
    const p = referenceLogSoftmax(logits, 1).map(Math.exp); // order: 2 (.37), 5 (.34), 0 (.17), ...
    const counts = new Array(logits.length).fill(0);
    const draws = 20000;
    for (let i = 0; i < draws; i++) {
      const t = sampleToken(logits, 1, 0.6, rng);
      counts[t.id]++;
      expect(t.logprob).toBeCloseTo(Math.log(p[t.id]), 10);
    }
    const nucleus = p[2] + p[5]; // .37 < 0.6 <= .37 + .34
    expect(counts[0] + counts[1] + counts[3] + counts[4]).toBe(0);
    expect(Math.abs(counts[2] / draws - p[2] / nucleus)).toBeLessThan(0.015);
  });

  it('temperature 0 is greedy', () => {
    expect(sampleToken(logits, 0, 1, createRng(1)).id).toBe(2);
  });
});

describe('top-p on a real-sized vocabulary', () => {
  it('draws exactly what a full sort of the vocabulary draws (same random numbers)', () => {
    const rng = createRng(41);
    // the last case: a few ids far above a long flat tail that holds most of the mass (the first cut is not enough)
    for (const [vocab, topP, spread, spike] of [[50_000, 0.9, 3, 8], [50_000, 0.5, 12, 8], [4_000, 0.999, 1, 8], [50_000, 0.5, 0.1, 6]] as const) {
      const logits = Float32Array.from({ length: vocab }, () => (rng() - 0.5) * spread * 2 + (rng() < 0.0001 ? spike : 0));
      for (let draw = 0; draw < 20; draw++) {
        const seed = 1000 + draw;
        const got = sampleToken(logits, 0.7, topP, createRng(seed));
        // reference: sort every id, take the smallest prefix reaching topP, draw from it renormalised
        const lp = logSoftmax(logits, 0.7);
        const order = Array.from(lp.keys()).sort((a, b) => lp[b] - lp[a] || a - b);
        let mass = 0;
        let size = 0;
        while (size < order.length && mass < topP) mass += Math.exp(lp[order[size++]]);
        const u = createRng(seed)();
        let acc = 0;
        let want = order[size - 1];
        for (let r = 0; r < size; r++) {
          acc += Math.exp(lp[order[r]]) / mass;
          if (u < acc) {
            want = order[r];
            break;
          }
        }
        expect(got.id).toBe(want);
        expect(got.logprob).toBeCloseTo(lp[want], 10);
      }
    }
  });
});
