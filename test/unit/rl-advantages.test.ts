import { describe, it, expect } from 'vitest';
import { clippedAdvantages } from '../../src/rl/advantages.ts';
import { createRng } from '../../src/model/rng.ts';

describe('clippedAdvantages (METHOD §5)', () => {
  it('hand-computed: renormalised weights, clipped differences', () => {
    // l_old = log(0.3), log(0.1) → w = 0.75, 0.25; l_T − l_old = 0.5, −3 → D = 0.5, −1 with C = 1.
    const lOld = [Math.log(0.3), Math.log(0.1)];
    const lT = [lOld[0] + 0.5, lOld[1] - 3];
    const r = clippedAdvantages(lOld, lT, 1);
    expect(r.weights[0]).toBeCloseTo(0.75, 6);
    expect(r.weights[1]).toBeCloseTo(0.25, 6);
    expect(r.deltas[0]).toBeCloseTo(0.5, 6);
    expect(r.deltas[1]).toBeCloseTo(-1, 6);
    expect(r.advantages[0]).toBeCloseTo(0.375, 6);
    expect(r.advantages[1]).toBeCloseTo(-0.25, 6);
    expect(r.clipped).toBe(1);
  });

  it('C ≤ 0 turns the clip off', () => {
    const lOld = [Math.log(0.5), Math.log(0.5)];
    const lT = [lOld[0] + 4, lOld[1] - 2.5];
    for (const C of [0, -1]) {
      const r = clippedAdvantages(lOld, lT, C);
      expect(r.deltas[0]).toBeCloseTo(4, 5);
      expect(r.deltas[1]).toBeCloseTo(-2.5, 5);
      expect(r.advantages[0]).toBeCloseTo(2, 5);
      expect(r.clipped).toBe(0);
    }
  });

  it('all −∞ but one: the finite token takes all the weight, no NaN', () => {
    const r = clippedAdvantages([-Infinity, -1.2, -Infinity], [-3, -0.2, -Infinity], 0);
    expect(Array.from(r.weights)).toEqual([0, 1, 0]);
    expect(r.deltas[1]).toBeCloseTo(1, 6);
    expect(r.deltas[0]).toBe(Infinity);
    expect(r.deltas[2]).toBe(0);
    expect(Array.from(r.advantages).map((a) => Math.round(a * 1e6) / 1e6)).toEqual([0, 1, 0]);
  });

  it('all −∞: zero weights and advantages; empty support: empty arrays', () => {
    const r = clippedAdvantages([-Infinity, -Infinity], [-1, -2], 1);
    expect(Array.from(r.weights)).toEqual([0, 0]);
    expect(Array.from(r.advantages)).toEqual([0, 0]);
    expect(clippedAdvantages([], [], 1).advantages.length).toBe(0);
  });

  it('rejects mismatched lengths', () => {
    expect(() => clippedAdvantages([0], [0, 1], 1)).toThrow(/log-probs/);
  });

  it('property: |A| ≤ C·w ≤ C, weights sum to 1 (seeded random inputs)', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(rng() * 8);
      const C = 0.25 + rng() * 2;
      const lOld = Array.from({ length: n }, () => -rng() * 12);
      const lT = Array.from({ length: n }, () => -rng() * 12);
      const r = clippedAdvantages(lOld, lT, C);
      let sum = 0;
      for (let v = 0; v < n; v++) {
        sum += r.weights[v];
        expect(Math.abs(r.advantages[v])).toBeLessThanOrEqual(C * r.weights[v] * (1 + 1e-6) + 1e-7);
        expect(Math.abs(r.advantages[v])).toBeLessThanOrEqual(C + 1e-6);
        // independent evaluation of the formula
        const w = Math.exp(lOld[v]) / lOld.reduce((s, l) => s + Math.exp(l), 0);
        const d = Math.min(C, Math.max(-C, lT[v] - lOld[v]));
        expect(r.advantages[v]).toBeCloseTo(d * w, 5);
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(r.clipped).toBe(lOld.filter((l, v) => Math.abs(lT[v] - l) > C).length);
    }
  });
});
