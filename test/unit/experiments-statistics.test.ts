/**
 * The experiment's statistics against independent references: a published Wilcoxon example (scipy's
 * documentation), hand-computed small cases, brute-force enumeration of every sign flip, numpy's quantile
 * convention, and the coverage of the bootstrap intervals on synthetic data with a known mean.
 */
import { describe, it, expect } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { bootstrapMeanCI, median, pairedBootstrapCI, quantile, wilcoxonSignedRank } from '../../src/experiments/statistics.ts';

/** The exact two-sided p by listing all 2^n sign assignments of the ranks (ties averaged, zeros dropped). */
function bruteForceWilcoxon(d: number[]): { wPlus: number; p: number } {
  const x = d.filter((v) => v !== 0);
  const abs = x.map(Math.abs);
  const ranks = abs.map((a) => {
    const below = abs.filter((b) => b < a).length;
    const equal = abs.filter((b) => b === a).length;
    return below + (equal + 1) / 2;
  });
  const wPlus = x.reduce((s, v, i) => s + (v > 0 ? ranks[i] : 0), 0);
  let lower = 0;
  let upper = 0;
  const total = 2 ** x.length;
  for (let mask = 0; mask < total; mask++) {
    let w = 0;
    for (let i = 0; i < x.length; i++) if (mask & (1 << i)) w += ranks[i];
    if (w <= wPlus + 1e-9) lower++;
    if (w >= wPlus - 1e-9) upper++;
  }
  return { wPlus, p: Math.min(1, (2 * Math.min(lower, upper)) / total) };
}

describe('wilcoxonSignedRank', () => {
  it("matches scipy's documented example (exact p = 0.041259765625, statistic 24)", () => {
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    const r = wilcoxonSignedRank(d);
    expect(r.n).toBe(15);
    expect(r.wMinus).toBe(24);
    expect(r.wPlus).toBe(120 - 24);
    expect(r.p).toBeCloseTo(0.041259765625, 12);
  });

  it('gives the hand-computed values on small data', () => {
    // Three positive differences: W+ = 6 is the most extreme of 8 equally likely sign patterns.
    expect(wilcoxonSignedRank([1, 2, 3]).p).toBeCloseTo(2 / 8, 12);
    // Ranks 1..4, W+ = 1 + 3 + 4 = 8 (the −2 has rank 2). Of the 16 sign patterns, W+ >= 8 in three
    // ({1,3,4}, {2,3,4}, {1,2,3,4}), so p = 2 × 3/16.
    expect(wilcoxonSignedRank([1, -2, 3, 4])).toMatchObject({ wPlus: 8, wMinus: 2 });
    expect(wilcoxonSignedRank([1, -2, 3, 4]).p).toBeCloseTo(6 / 16, 12);
    // Zeros are dropped; nothing left means no evidence.
    expect(wilcoxonSignedRank([0, 0, 0])).toEqual({ n: 0, wPlus: 0, wMinus: 0, p: 1 });
    expect(wilcoxonSignedRank([0, 5, 0, 7, 9]).p).toBeCloseTo(2 / 8, 12);
  });

  it('equals brute-force enumeration of sign flips on random data with ties and zeros', () => {
    const rng = createRng(1717);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rng() * 14);
      // Small integers: ties and zeros are common, as with capped session counts.
      const d = Array.from({ length: n }, () => Math.round((rng() - 0.4) * 8));
      const ours = wilcoxonSignedRank(d);
      const ref = bruteForceWilcoxon(d);
      expect(ours.wPlus).toBeCloseTo(ref.wPlus, 9);
      expect(ours.p).toBeCloseTo(ref.p, 9);
    }
  });

  it('rejects a real shift and not a null one at about the nominal rate', () => {
    const rng = createRng(99);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    let falsePositives = 0;
    let detections = 0;
    for (let t = 0; t < 400; t++) {
      if (wilcoxonSignedRank(Array.from({ length: 30 }, normal)).p < 0.05) falsePositives++;
      if (wilcoxonSignedRank(Array.from({ length: 30 }, () => normal() + 1)).p < 0.05) detections++;
    }
    expect(falsePositives / 400).toBeLessThan(0.08);
    expect(detections / 400).toBeGreaterThan(0.95);
  });
});

describe('quantile and median', () => {
  it("follow numpy's linear interpolation (type 7)", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(median([60, 3, 5])).toBe(5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('bootstrap intervals', () => {
  it('cover the true mean about 95% of the time on skewed synthetic data', () => {
    const rng = createRng(4242);
    // Exponential with mean 10, like sessions-to-satisfy: skewed, positive.
    const draw = () => -10 * Math.log(1 - rng());
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 60 }, draw);
      const [lo, hi] = bootstrapMeanCI(xs, { resamples: 2000, seed: t });
      expect(lo).toBeLessThan(hi);
      if (lo <= 10 && 10 <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('pairs: resampling pairs together removes the shared per-pair variation', () => {
    const rng = createRng(7);
    let covered = 0;
    for (let t = 0; t < 200; t++) {
      // Each pair shares a large user effect; arm a is 2 sessions faster.
      const user = Array.from({ length: 40 }, () => 30 * rng());
      const a = user.map((u) => u + 4 * rng());
      const b = user.map((u) => u + 2 + 4 * rng());
      const [lo, hi] = pairedBootstrapCI(a, b, { resamples: 1000, seed: t });
      if (lo <= -2 && -2 <= hi) covered++;
      // The shared effect (std ≈ 8.7) would swamp an unpaired interval; the paired one stays narrow.
      expect(hi - lo).toBeLessThan(1.6);
    }
    expect(covered / 200).toBeGreaterThan(0.9);
  });

  it('is reproducible for a seed and refuses unequal pairs', () => {
    const xs = [3, 9, 12, 60, 7];
    expect(bootstrapMeanCI(xs)).toEqual(bootstrapMeanCI(xs));
    expect(() => pairedBootstrapCI([1, 2], [1])).toThrow(/equal lengths/);
  });
});
