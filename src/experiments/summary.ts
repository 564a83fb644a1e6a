/**
 * The experiment's table (METHOD §9 and §6 ablations), from finished runs: per arm the mean and spread of
 * sessions-to-satisfy, the capped runs, and the per-preference rows; plus the reply length (for the C
 * ablation), answer accuracy, and the targets checked against the numbers.
 */
import { ALL_ARMS, type ArmGroup } from './arms.ts';
import { chanceOfStreak, meanStd } from './metric.ts';
import type { RunResult } from './run.ts';
import { bootstrapMeanCI, median } from './statistics.ts';
import { comparisons, type Comparison } from './comparisons.ts';
import { armDiagnostics, type ArmDiagnostics } from './diagnostics.ts';

export interface PreferenceRow {
  /** Sessions-to-satisfy of each run, in seed order. */
  runs: number[];
  seeds: number[];
  sessions_to_satisfy_mean: number;
  sessions_to_satisfy_std: number;
  hit_cap: number;
  /** Share of sessions whose first reply met the preference. */
  met_rate: number;
  mean_reply_tokens: number;
  answer_accuracy: number;
}

export interface ArmSummary {
  id: string;
  group: ArmGroup;
  label: string;
  runs: number;
  /** The capped mean: a capped run counts as the cap, so this is the restricted mean min(T, cap) (a lower bound on E[T] when any run capped). */
  sessions_to_satisfy_mean: number;
  sessions_to_satisfy_median: number;
  sessions_to_satisfy_std: number;
  /** Percentile bootstrap 95% CI of the (capped) mean, runs resampled. */
  sessions_to_satisfy_ci95: [number, number];
  hit_cap: number;
  /** Fraction of runs satisfied by session s, for s = 1..cap (a capped run never is): the learning curve. */
  satisfied_by_session: number[];
  diagnostics: ArmDiagnostics;
  /** Mean reply length in tokens over every session of the arm's runs. */
  mean_reply_tokens: number;
  answer_accuracy: number;
  mean_updates: number;
  per_preference: Record<string, PreferenceRow>;
}

export interface Targets {
  hybrid_below_grpo: boolean | null;
  hybrid_below_opd: boolean | null;
  /** Per preference: the no-update met rate (its base rate), the chance it completes a streak by luck, and whether it did. */
  no_updates: Record<string, { base_rate: number; chance_of_streak: number; satisfied_runs: number; runs: number }>;
  /** No preference whose chance of a lucky streak is under 5% was satisfied without updates. */
  no_updates_never_satisfies_unlikely: boolean | null;
  /** Hybrid's mean below GRPO's / OPD's with the paired 95% CI of the difference below zero. */
  hybrid_beats_grpo_ci: boolean | null;
  hybrid_beats_opd_ci: boolean | null;
  /** Hybrid's mean at most 10 sessions. */
  hybrid_at_most_10: boolean | null;
}

/** How often the judge's score agreed with the user's hidden verdict (met: +1, missed or corrected: −1), per answer kind. */
export type JudgeAgreement = Record<string, { sessions: number; agreed: number; rate: number }>;

/** One value of an ablated knob: the same numbers as an arm row, over the ablation's users and seeds only. */
export type AblationRow = Omit<ArmSummary, 'id' | 'group' | 'label'> & { arm: string };

export interface ExperimentSummary {
  arms: Record<string, ArmSummary>;
  /**
   * Per ablated knob, per value, on the same preferences and seeds: k = 4 and C = 1 are the hybrid's own
   * runs restricted to those; the selection rows all use the varied-hint judge.
   */
  ablations: Partial<Record<'selection' | 'k' | 'C', Record<string, AblationRow>>>;
  judge_agreement: JudgeAgreement;
  /** Paired comparisons by (preference, seed): bootstrap CI of the mean difference and Wilcoxon signed-rank p. */
  comparisons: Comparison[];
  /** GRPO-only / hybrid and OPD-only / hybrid mean sessions (above 1: hybrid learns faster). */
  ratios: { grpo_over_hybrid: number | null; opd_over_hybrid: number | null };
  targets: Targets;
}

const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
const share = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function row(results: readonly RunResult[]): PreferenceRow {
  const sorted = [...results].sort((a, b) => a.spec.seed - b.spec.seed);
  const { mean: m, std } = meanStd(sorted.map((r) => r.sessionsToSatisfy));
  const sessions = sorted.flatMap((r) => r.sessions);
  return {
    runs: sorted.map((r) => r.sessionsToSatisfy),
    seeds: sorted.map((r) => r.spec.seed),
    sessions_to_satisfy_mean: round(m),
    sessions_to_satisfy_std: round(std),
    hit_cap: sorted.filter((r) => r.hitCap).length,
    met_rate: round(share(sessions.map((s) => s.met)), 3),
    mean_reply_tokens: round(mean(sessions.map((s) => s.replyTokens)), 1),
    answer_accuracy: round(share(sessions.map((s) => s.correct)), 3),
  };
}

function armSummary(id: string, results: readonly RunResult[]): ArmSummary {
  const arm = ALL_ARMS.find((a) => a.id === id);
  const byPreference = new Map<string, RunResult[]>();
  for (const r of results) byPreference.set(r.spec.preference, [...(byPreference.get(r.spec.preference) ?? []), r]);
  const values = results.map((r) => r.sessionsToSatisfy);
  const { mean: m, std } = meanStd(values);
  const sessions = results.flatMap((r) => r.sessions);
  const cap = Math.max(0, ...results.map((r) => r.spec.cap));
  const [lo, hi] = bootstrapMeanCI(values);
  return {
    id,
    group: arm?.group ?? 'method',
    label: arm?.label ?? id,
    runs: results.length,
    sessions_to_satisfy_mean: round(m),
    sessions_to_satisfy_median: round(median(values)),
    sessions_to_satisfy_std: round(std),
    sessions_to_satisfy_ci95: [round(lo), round(hi)],
    hit_cap: results.filter((r) => r.hitCap).length,
    satisfied_by_session: Array.from({ length: cap }, (_, i) => round(share(results.map((r) => !r.hitCap && r.sessionsToSatisfy <= i + 1)), 3)),
    diagnostics: armDiagnostics(results),
    mean_reply_tokens: round(mean(sessions.map((s) => s.replyTokens)), 1),
    answer_accuracy: round(share(sessions.map((s) => s.correct)), 3),
    mean_updates: round(mean(results.map((r) => r.updates)), 1),
    per_preference: Object.fromEntries([...byPreference].map(([p, rs]) => [p, row(rs)])),
  };
}

/** Mean of per-preference means over the preferences both arms ran, so arms are compared on the same users. */
function comparableMean(a: ArmSummary | undefined, b: ArmSummary | undefined): [number, number] | null {
  if (!a || !b) return null;
  const common = Object.keys(a.per_preference).filter((p) => p in b.per_preference);
  if (common.length === 0) return null;
  return [mean(common.map((p) => a.per_preference[p].sessions_to_satisfy_mean)), mean(common.map((p) => b.per_preference[p].sessions_to_satisfy_mean))];
}

/** Below this chance of a lucky streak, a preference is "unlikely" for a policy that does not learn. */
export const UNLIKELY_CHANCE = 0.05;

export function summarize(results: readonly RunResult[]): ExperimentSummary {
  const byArm = new Map<string, RunResult[]>();
  for (const r of results) byArm.set(r.spec.arm, [...(byArm.get(r.spec.arm) ?? []), r]);
  const order = ALL_ARMS.map((a) => a.id).filter((id) => byArm.has(id));
  const arms = Object.fromEntries(order.map((id) => [id, armSummary(id, byArm.get(id)!)]));

  const vsGrpo = comparableMean(arms.hybrid, arms.grpo);
  const vsOpd = comparableMean(arms.hybrid, arms.opd);
  const noUpdates: Targets['no_updates'] = {};
  for (const [p, r] of Object.entries(arms.none?.per_preference ?? {})) {
    const runs = (byArm.get('none') ?? []).filter((x) => x.spec.preference === p);
    const cap = runs[0]?.spec.cap;
    const streak = runs[0]?.spec.streak;
    noUpdates[p] = { base_rate: r.met_rate, chance_of_streak: round(chanceOfStreak(r.met_rate, streak, cap), 3), satisfied_runs: r.runs.length - r.hit_cap, runs: r.runs.length };
  }
  const unlikely = Object.values(noUpdates).filter((x) => x.chance_of_streak < UNLIKELY_CHANCE);
  const paired = comparisons(results);
  const beats = (b: string) => {
    const c = paired.find((x) => x.a === 'hybrid' && x.b === b);
    return c ? c.mean_difference < 0 && c.ci95[1] < 0 : null;
  };
  return {
    arms,
    ablations: ablationTables(byArm),
    judge_agreement: judgeAgreement(results),
    comparisons: paired,
    ratios: {
      grpo_over_hybrid: vsGrpo ? round(vsGrpo[1] / vsGrpo[0], 3) : null,
      opd_over_hybrid: vsOpd ? round(vsOpd[1] / vsOpd[0], 3) : null,
    },
    targets: {
      hybrid_below_grpo: vsGrpo ? vsGrpo[0] < vsGrpo[1] : null,
      hybrid_below_opd: vsOpd ? vsOpd[0] < vsOpd[1] : null,
      no_updates: noUpdates,
      no_updates_never_satisfies_unlikely: arms.none ? unlikely.every((x) => x.satisfied_runs === 0) : null,
      hybrid_beats_grpo_ci: beats('grpo'),
      hybrid_beats_opd_ci: beats('opd'),
      hybrid_at_most_10: arms.hybrid ? arms.hybrid.sessions_to_satisfy_mean <= 10 : null,
    },
  };
}

function judgeAgreement(results: readonly RunResult[]): JudgeAgreement {
  const out: JudgeAgreement = {};
  for (const s of results.flatMap((r) => r.sessions)) {
    for (const key of ['all', s.answer]) {
      const a = (out[key] ??= { sessions: 0, agreed: 0, rate: 0 });
      a.sessions++;
      // a corrected wrong answer is a miss, whatever its style
      if (s.reward === (s.met && s.answer !== 'correct' ? 1 : -1)) a.agreed++;
      a.rate = round(a.agreed / a.sessions, 3);
    }
  }
  return out;
}

/** Knob value → arm id, per ablation; the hybrid stands for the method's default value. */
const ABLATION_VALUES: Record<'selection' | 'k' | 'C', [string, string][]> = {
  selection: [['sequence', 'selection=sequence'], ['token', 'selection=token'], ['shortest', 'selection=shortest'], ['random', 'selection=random']],
  k: [['2', 'k=2'], ['4', 'hybrid'], ['8', 'k=8']],
  C: [['off', 'C=off'], ['1', 'hybrid'], ['2', 'C=2']],
};

function ablationTables(byArm: Map<string, RunResult[]>): ExperimentSummary['ablations'] {
  const out: ExperimentSummary['ablations'] = {};
  for (const [knob, values] of Object.entries(ABLATION_VALUES) as ['selection' | 'k' | 'C', [string, string][]][]) {
    const varied = values.filter(([, arm]) => arm !== 'hybrid' && byArm.has(arm));
    if (varied.length === 0) continue;
    // The users and seeds the ablation ran: every row is computed over exactly these.
    const cases = new Set(varied.flatMap(([, arm]) => byArm.get(arm)!.map((r) => `${r.spec.preference}|${r.spec.seed}`)));
    const table: Record<string, AblationRow> = {};
    for (const [value, arm] of values) {
      const runs = (byArm.get(arm) ?? []).filter((r) => cases.has(`${r.spec.preference}|${r.spec.seed}`));
      if (runs.length === 0) continue;
      const { id: _i, group: _g, label: _l, ...row } = armSummary(arm, runs);
      table[value] = { arm, ...row };
    }
    out[knob] = table;
  }
  return out;
}
