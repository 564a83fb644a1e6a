/**
 * The statistics of the experiment's table (issue 17): order statistics, a percentile bootstrap of a mean,
 * a paired bootstrap of a mean difference, and the exact Wilcoxon signed-rank test. Seeded, so a report is
 * the same number every time it is computed from the same runs. No DOM, no tfjs.
 */
import { createRng, randomInt } from '../model/rng.ts';

/** Resamples per bootstrap: the CI's ends move by < 0.1 session between seeds of the resampler at this size. */
export const BOOTSTRAP_RESAMPLES = 10_000;

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Linear-interpolation quantile (type 7, numpy's default) of unsorted values; q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/**
 * `bootstrapMeanCI(values)`: percentile bootstrap interval of the mean (resample the values with
 * replacement, take the 2.5% and 97.5% quantiles of the resampled means).
 */
export function bootstrapMeanCI(values: readonly number[], { level = 0.95, resamples = BOOTSTRAP_RESAMPLES, seed = 17 } = {}): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[randomInt(rng, n)];
    means[b] = sum / n;
  }
  const alpha = (1 - level) / 2;
  const all = Array.from(means);
  return [quantile(all, alpha), quantile(all, 1 - alpha)];
}

/** The paired bootstrap: pairs are resampled together, so the interval is of the mean of a − b per pair. */
export function pairedBootstrapCI(a: readonly number[], b: readonly number[], options: { level?: number; resamples?: number; seed?: number } = {}): [number, number] {
  if (a.length !== b.length) throw new RangeError(`paired values need equal lengths, got ${a.length} and ${b.length}`);
  return bootstrapMeanCI(a.map((x, i) => x - b[i]), options);
}

export interface WilcoxonResult {
  /** Pairs with a non-zero difference (zeros are dropped: Wilcoxon's own treatment, scipy's `zero_method="wilcox"`). */
  n: number;
  /** Sum of the ranks of the positive differences (ties get their average rank). */
  wPlus: number;
  /** Sum of the ranks of the negative differences. */
  wMinus: number;
  /** Two-sided p: the exact sign-flip distribution of W+ given these ranks (ties included), 2 × the smaller tail, at most 1. */
  p: number;
}

/** Average ranks (1-based) of |d|, ties sharing the mean of the ranks they span. */
function averageRanks(abs: readonly number[]): number[] {
  const order = abs.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(abs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * `wilcoxonSignedRank(differences)`: the Wilcoxon signed-rank test of "the paired differences are symmetric
 * about 0". Exact at every n: under the null each rank's sign is a fair coin, so the distribution of W+ is
 * a convolution over the ranks (in half-units, since tied ranks end in .5), computed by dynamic programming.
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  const nonzero = differences.filter((d) => d !== 0);
  const n = nonzero.length;
  if (n === 0) return { n: 0, wPlus: 0, wMinus: 0, p: 1 };
  const ranks = averageRanks(nonzero.map(Math.abs));
  const wPlus = nonzero.reduce((s, d, i) => s + (d > 0 ? ranks[i] : 0), 0);
  const total = (n * (n + 1)) / 2;
  const halfUnits = ranks.map((r) => Math.round(2 * r));
  const max = 2 * total;
  // count[s] ∝ P(2·W+ = s); scaled by 1/2 per rank so it stays a probability for any n.
  let count = new Float64Array(max + 1);
  count[0] = 1;
  for (const r of halfUnits) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= max; s++) {
      if (count[s] === 0) continue;
      next[s] += count[s] / 2;
      next[s + r] += count[s] / 2;
    }
    count = next;
  }
  const observed = Math.round(2 * wPlus);
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= max; s++) {
    if (s <= observed) lower += count[s];
    if (s >= observed) upper += count[s];
  }
  return { n, wPlus, wMinus: total - wPlus, p: Math.min(1, 2 * Math.min(lower, upper)) };
}
