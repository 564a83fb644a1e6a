/**
 * The environment experiment's figures (issue 15): per environment and arm, the success rate over the first
 * and the last `window` episodes, episodes until `streak` successes in a row, and how often the step judge
 * agrees with the checker.
 */
import { sessionsToSatisfy } from './metric.ts';
import type { EnvironmentRunResult } from './environment-run.ts';

export const SUCCESS_WINDOW = 10;
export const SUCCESS_STREAK = 3;

export interface EnvironmentArmSummary {
  runs: number;
  episodes: number;
  success_rate_first: number;
  success_rate_last: number;
  success_rate_all: number;
  /** Per run; the run's length when no streak came (`hit_cap`). */
  episodes_to_streak: number[];
  hit_cap: number;
  mean_actions: number;
  updates: number;
}

export interface StepJudgeAgreement {
  /** Final answers: the step judge's score is +1 exactly when the checker says success. */
  final_step: number;
  /** Episodes: the mean of all the episode's step scores is positive exactly when the checker says success. */
  episode: number;
  /** Action steps judged +1 (the tool or command returned normal output). */
  action_steps_positive: number;
  episodes: number;
}

export interface EnvironmentSummary {
  arms: Record<string, EnvironmentArmSummary>;
  step_judge_agreement: StepJudgeAgreement;
  /** hybrid's last-window rate above its first-window rate and above no-updates' last-window rate. */
  target_met: boolean | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const rate = (flags: boolean[]) => (flags.length === 0 ? NaN : round(flags.filter(Boolean).length / flags.length));

export function summarizeEnvironment(results: readonly EnvironmentRunResult[], window = SUCCESS_WINDOW): EnvironmentSummary {
  const arms: Record<string, EnvironmentArmSummary> = {};
  for (const arm of [...new Set(results.map((r) => r.spec.arm))]) {
    const runs = results.filter((r) => r.spec.arm === arm);
    const first = runs.flatMap((r) => r.episodes.slice(0, window).map((e) => e.success));
    const last = runs.flatMap((r) => r.episodes.slice(-window).map((e) => e.success));
    const all = runs.flatMap((r) => r.episodes);
    const streaks = runs.map((r) => sessionsToSatisfy(r.episodes.map((e) => e.success), SUCCESS_STREAK, r.episodes.length));
    arms[arm] = {
      runs: runs.length,
      episodes: all.length,
      success_rate_first: rate(first),
      success_rate_last: rate(last),
      success_rate_all: rate(all.map((e) => e.success)),
      episodes_to_streak: streaks.map((s) => s.sessions),
      hit_cap: streaks.filter((s) => s.hitCap).length,
      mean_actions: round(all.reduce((s, e) => s + e.actions, 0) / Math.max(1, all.length)),
      updates: runs.reduce((s, r) => s + r.updates, 0),
    };
  }
  const episodes = results.flatMap((r) => r.episodes);
  const finals = episodes.filter((e) => !e.capped && e.stepScores.at(-1) !== null);
  const scored = episodes.filter((e) => e.stepScores.some((s) => s !== null));
  const actionScores = episodes.flatMap((e) => e.stepScores.slice(0, e.actions)).filter((s): s is number => s !== null);
  const mean = (xs: (number | null)[]) => { const v = xs.filter((x): x is number => x !== null); return v.reduce((a, b) => a + b, 0) / v.length; };
  const hybrid = arms.hybrid;
  const none = arms.none;
  return {
    arms,
    step_judge_agreement: {
      final_step: rate(finals.map((e) => (e.stepScores.at(-1) === 1) === e.success)),
      episode: rate(scored.map((e) => (mean(e.stepScores) > 0) === e.success)),
      action_steps_positive: rate(actionScores.map((s) => s === 1)),
      episodes: episodes.length,
    },
    target_met: hybrid && none ? hybrid.success_rate_last > hybrid.success_rate_first && hybrid.success_rate_last > none.success_rate_last : null,
  };
}
