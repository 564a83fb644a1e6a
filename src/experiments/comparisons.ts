/**
 * Paired comparisons between arms (issue 17): runs pair by (preference, seed), since every arm of a seed
 * meets the same user, questions and user-wording draws (common random numbers), so a difference between
 * arms is read per pair. Each comparison gives the mean difference a − b in sessions-to-satisfy, a paired
 * bootstrap 95% CI of it, and the exact Wilcoxon signed-rank p; plus a check that the pairs really shared
 * their draws.
 */
import type { RunResult } from './run.ts';
import { mean, pairedBootstrapCI, wilcoxonSignedRank } from './statistics.ts';

export interface Comparison {
  a: string;
  b: string;
  pairs: number;
  /** Mean over pairs of a − b (negative: a satisfies the user in fewer sessions). */
  mean_difference: number;
  /** Paired bootstrap (pairs resampled) percentile interval of the mean difference. */
  ci95: [number, number];
  /** Two-sided exact Wilcoxon signed-rank p over the pairs' differences (zero differences dropped). */
  p_value: number;
  /** Pairs a won (fewer sessions), b won, tied. */
  wins: { a: number; b: number; ties: number };
  /** Pairs in which both runs hit the cap (their difference, 0, is a floor the data cannot resolve). */
  both_capped: number;
  /** Every pair asked the same questions and drew the same user answers wherever both met or both missed. */
  paired_draws_agree: boolean;
  /**
   * What learning costs: the final policies' answer accuracy on the same held-out questions, a − b over the
   * pairs that asked them (paired bootstrap 95% CI); null when none did.
   */
  accuracy_after: { pairs: number; mean_difference: number; ci95: [number, number] } | null;
}

/** The comparisons the report makes: the methods with each other, and each ablation with its reference arm. */
export const COMPARISONS: readonly [string, string][] = [
  ['hybrid', 'grpo'],
  ['hybrid', 'opd'],
  ['grpo', 'opd'],
  ['hybrid', 'none'],
  ['selection=token', 'selection=sequence'],
  ['selection=shortest', 'selection=sequence'],
  ['selection=random', 'selection=sequence'],
  ['k=2', 'hybrid'],
  ['k=8', 'hybrid'],
  ['C=off', 'hybrid'],
  ['C=2', 'hybrid'],
];

const pairKey = (r: RunResult) => `${r.spec.preference}|${r.spec.seed}`;

/**
 * Two runs of one (preference, seed) shared their draws: the same question opened every session both
 * reached, and wherever both replies met the preference (or both missed it) the user answered in the same
 * way (its answer kind is a function of its own random numbers and of met alone).
 */
export function drawsAgree(x: RunResult, y: RunResult): boolean {
  const n = Math.min(x.sessions.length, y.sessions.length);
  for (let i = 0; i < n; i++) {
    const s = x.sessions[i];
    const t = y.sessions[i];
    if (s.question !== t.question) return false;
    if (s.met === t.met && s.answer !== t.answer) return false;
  }
  return true;
}

export function compare(a: string, b: string, results: readonly RunResult[], seed = 17): Comparison | null {
  const bs = new Map(results.filter((r) => r.spec.arm === b).map((r) => [pairKey(r), r]));
  const pairs = results
    .filter((r) => r.spec.arm === a && bs.has(pairKey(r)))
    .sort((x, y) => pairKey(x).localeCompare(pairKey(y)))
    .map((r) => [r, bs.get(pairKey(r))!] as const);
  if (pairs.length === 0) return null;
  const xs = pairs.map(([x]) => x.sessionsToSatisfy);
  const ys = pairs.map(([, y]) => y.sessionsToSatisfy);
  const d = xs.map((x, i) => x - ys[i]);
  const round = (v: number) => Number(v.toFixed(3));
  const [lo, hi] = pairedBootstrapCI(xs, ys, { seed });
  return {
    a,
    b,
    pairs: pairs.length,
    mean_difference: round(mean(d)),
    ci95: [round(lo), round(hi)],
    p_value: Number(wilcoxonSignedRank(d).p.toPrecision(4)),
    wins: { a: d.filter((v) => v < 0).length, b: d.filter((v) => v > 0).length, ties: d.filter((v) => v === 0).length },
    both_capped: pairs.filter(([x, y]) => x.hitCap && y.hitCap).length,
    paired_draws_agree: pairs.every(([x, y]) => drawsAgree(x, y)),
    accuracy_after: accuracyDifference(pairs, seed),
  };
}

function accuracyDifference(pairs: readonly (readonly [RunResult, RunResult])[], seed: number): Comparison['accuracy_after'] {
  const asked = pairs.filter(([x, y]) => x.accuracyAfter && y.accuracyAfter);
  if (asked.length === 0) return null;
  const share = (r: RunResult) => r.accuracyAfter!.correct / r.accuracyAfter!.questions;
  const xs = asked.map(([x]) => share(x));
  const ys = asked.map(([, y]) => share(y));
  const [lo, hi] = pairedBootstrapCI(xs, ys, { seed });
  const r3 = (v: number) => Number(v.toFixed(3));
  return { pairs: asked.length, mean_difference: r3(mean(xs.map((x, i) => x - ys[i]))), ci95: [r3(lo), r3(hi)] };
}

/** Every comparison of COMPARISONS whose two arms both ran. */
export function comparisons(results: readonly RunResult[]): Comparison[] {
  return COMPARISONS.map(([a, b]) => compare(a, b, results)).filter((c): c is Comparison => c !== null);
}
