/**
 * Why an arm learns as fast as it does (issue 17): per arm, what its runs trained on and how the signals
 * behaved. Samples per case (METHOD §6), how often the directive judge accepted a hint and whether the hint
 * named a style the reply missed (§3), how often the teacher itself followed the hint it scored with, the
 * trainer's mean |A| and Δ-clip fraction (§5), the drift from the frozen policy, updates per run, and answer
 * accuracy after learning.
 */
import { hintedDimensions } from './hinted-dimensions.ts';
import { preferenceById, unmetDimensions } from './preferences.ts';
import type { RunResult, UpdateStats } from './run.ts';

export interface ArmDiagnostics {
  sessions: number;
  /** Training samples per run, by case: hint and r = ±1 / hint and r = 0 / no hint and r = ±1. */
  samples_per_run: { combined: number; opd: number; grpo: number };
  /** Share of sessions whose reply missed the preference where a hint was accepted. */
  hint_accepted_when_missed: number;
  /** Share of accepted hints that name a style the reply missed (the rest are generic: "the user disliked …"). */
  hint_names_missed_style: number;
  /**
   * Share of accepted hints whose next state stated a wish (the user's answer `state`): the rest answered a
   * bare complaint or a question asked again, which name no style, so no judge could name one there.
   */
  hint_from_stated_wish: number;
  /** Share of the teacher's own replies under a style hint that showed every style the hint names (null: none probed). */
  teacher_hint_follow: number | null;
  teacher_probes: number;
  /**
   * Share of satisfied runs (not capped) whose satisfying streak's replies all stated the right answer: the
   * user checks style alone, so a policy that degenerated into styled nonsense ("i am glad to try do to dry")
   * still satisfies it; this says how often that happened (null: no run satisfied).
   */
  satisfied_with_right_answers: number | null;
  /** Share of sessions where the judge's r agreed with the user's hidden verdict (met: +1, missed: −1). */
  judge_agreement: number;
  /** Means over runs of the per-update means (null without updates). */
  mean_abs_advantage: number | null;
  fraction_delta_clipped: number | null;
  fraction_ratio_clipped: number | null;
  /**
   * The exact KL of the policy to the frozen one at the trained reply positions, averaged over a run's updates,
   * then over runs (null without updates): how far learning took the policy from the model it started as; a
   * run whose replies wore into garble reads several nats, one that learnt a style a few tenths.
   */
  kl_to_frozen: number | null;
  updates_per_run: number;
  /** The final policy's answers to each run's held-out accuracy questions (null when not asked). */
  answer_accuracy_after: number | null;
}

const ratio = (n: number, d: number) => (d > 0 ? Number((n / d).toFixed(3)) : NaN);
const r3 = (x: number) => Number(x.toFixed(3));

export function armDiagnostics(runs: readonly RunResult[]): ArmDiagnostics {
  const sessions = runs.flatMap((r) => r.sessions.map((s) => ({ s, preference: r.spec.preference })));
  const cases = { combined: 0, opd: 0, grpo: 0 };
  let missed = 0;
  let hintedWhenMissed = 0;
  let hinted = 0;
  let namesMissed = 0;
  let fromStated = 0;
  for (const { s, preference } of sessions) {
    if (s.sampled) cases[s.hinted ? (s.reward !== 0 ? 'combined' : 'opd') : 'grpo']++;
    if (!s.met) {
      missed++;
      if (s.hinted) hintedWhenMissed++;
    }
    if (s.hint) {
      hinted++;
      if (s.answer === 'state') fromStated++;
      const unmet = new Set(unmetDimensions(preferenceById(preference), s.reply));
      if (hintedDimensions(s.hint).some((d) => unmet.has(d))) namesMissed++;
    }
  }
  const probed = sessions.filter(({ s }) => s.teacherFollowed !== null && s.teacherFollowed !== undefined);
  const withStats = runs.map((r) => r.updateStats).filter((u): u is UpdateStats => !!u);
  const avgStat = (f: (u: UpdateStats) => number) => (withStats.length ? r3(withStats.reduce((a, u) => a + f(u), 0) / withStats.length) : null);
  const asked = runs.map((r) => r.accuracyAfter).filter((a): a is NonNullable<typeof a> => !!a);
  const n = runs.length || 1;
  const satisfied = runs.filter((r) => !r.hitCap);
  return {
    sessions: sessions.length,
    samples_per_run: { combined: r3(cases.combined / n), opd: r3(cases.opd / n), grpo: r3(cases.grpo / n) },
    hint_accepted_when_missed: ratio(hintedWhenMissed, missed),
    hint_names_missed_style: ratio(namesMissed, hinted),
    hint_from_stated_wish: ratio(fromStated, hinted),
    teacher_hint_follow: probed.length ? ratio(probed.filter(({ s }) => s.teacherFollowed).length, probed.length) : null,
    teacher_probes: probed.length,
    satisfied_with_right_answers: satisfied.length ? ratio(satisfied.filter((r) => r.sessions.slice(-r.spec.streak).every((x) => x.correct)).length, satisfied.length) : null,
    judge_agreement: ratio(sessions.filter(({ s }) => s.reward === (s.met ? 1 : -1)).length, sessions.length),
    mean_abs_advantage: avgStat((u) => u.meanAbsAdvantage),
    fraction_delta_clipped: avgStat((u) => u.fractionDeltaClipped),
    fraction_ratio_clipped: avgStat((u) => u.fractionRatioClipped),
    kl_to_frozen: avgStat((u) => u.klToFrozen),
    updates_per_run: r3(runs.reduce((a, r) => a + r.updates, 0) / n),
    answer_accuracy_after: asked.length ? ratio(asked.reduce((a, x) => a + x.correct, 0), asked.reduce((a, x) => a + x.questions, 0)) : null,
  };
}
