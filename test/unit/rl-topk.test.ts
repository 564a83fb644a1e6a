import { describe, it, expect } from 'vitest';
import { topK } from '../../src/rl/topk.ts';
import { createRng } from '../../src/model/rng.ts';

describe('topK (METHOD §4)', () => {
  it('picks the largest values in descending order', () => {
    const r = topK([0.1, 3, -2, 7, 5], 3);
    expect(Array.from(r.ids)).toEqual([3, 4, 1]);
    expect(Array.from(r.values)).toEqual([7, 5, 3]);
  });

  it('breaks ties by the lower id', () => {
    expect(Array.from(topK([1, 2, 2, 1, 2], 2).ids)).toEqual([1, 2]);
    expect(Array.from(topK([5, 5, 5, 5], 3).ids)).toEqual([0, 1, 2]);
  });

  it('returns the whole row when k exceeds the vocabulary', () => {
    const r = topK([2, 9, 4], 10);
    expect(Array.from(r.ids)).toEqual([1, 2, 0]);
    expect(r.values.length).toBe(3);
  });

  it('sorts -Infinity after finite values and NaN after -Infinity', () => {
    const row = [-Infinity, NaN, -Infinity, -50, NaN];
    expect(Array.from(topK(row, 5).ids)).toEqual([3, 0, 2, 1, 4]);
    expect(Array.from(topK([-Infinity, -Infinity, 0, -Infinity], 2).ids)).toEqual([2, 0]);
  });

  it('k = 0 is empty; a bad k throws', () => {
    expect(topK([1, 2], 0).ids.length).toBe(0);
    expect(() => topK([1, 2], -1)).toThrow(/non-negative integer/);
    expect(() => topK([1, 2], 1.5)).toThrow(/non-negative integer/);
  });

  it('matches a full stable sort on random rows with many ties', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng() * 40);
      const row = Float32Array.from({ length: n }, () => Math.round(rng() * 6) / 2 - 1);
      const k = Math.floor(rng() * (n + 3));
      const expected = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
      const r = topK(row, k);
      expect(Array.from(r.ids)).toEqual(expected);
      expect(Array.from(r.values)).toEqual(expected.map((i) => row[i]));
    }
  });
});
