/**
 * The token inspector's numbers for one turn (METHOD §4–6), from what the signal worker recorded: the
 * overlap report (top-k sets, O[h,i], Δ and A over S_i) and the training sample (S_i with both log-probs).
 * Pure functions: the components only draw what these return.
 */
import type { OverlapReport } from '../../workers/protocol.ts';
import type { SampleRecord } from '../../rl/records.ts';

/** What the inspector knows about one turn. */
export interface InspectedTurn {
  responseIds: readonly number[];
  /** The evaluative score r, broadcast to every token by the GRPO term (METHOD §6); null before judging. */
  score: number | null;
  report: OverlapReport | null;
  sample: Pick<SampleRecord, 'support_ids' | 'old_logprobs_at_support' | 'teacher_logprobs_at_support' | 'loss_mask'> | null;
}

/** Which weights scored as the teacher (METHOD §3), in words; null for a report that did not record it. */
export function teacherLabel(report: OverlapReport): string | null {
  const t = report.teacher;
  if (!t) return null;
  if (t.identity === 'frozen') return `frozen teacher: the policy as first loaded${t.adapter ? '' : ' (on a loaded model: the base without the adapter)'}`;
  return `live teacher: version ${t.version}${t.adapter ? ` (the base with adapter v${t.version})` : ''}`;
}

export interface TokenCell {
  index: number;
  id: number;
  /** The character, with space and newline made visible. */
  glyph: string;
  /** OPD part: A_v at the sampled token v = y_i when y_i ∈ S_i (METHOD §5); null otherwise. */
  opd: number | null;
  /** GRPO part: r (METHOD §6); null before the judge answered. */
  grpo: number | null;
  /** h*(i), the hint candidate selected at this position; -1 without hints. */
  hint: number;
  /** Whether this position trains (a position whose support is empty is masked). */
  trains: boolean;
}

/** Space and newline drawn so that a token chip is never empty. */
export function visibleGlyph(text: string): string {
  if (text === ' ') return '␣';
  if (text === '\n') return '↵';
  if (text === '\t') return '⇥';
  return text;
}

/** S_i for position i: the sample's support when recorded, else the student's top-k (the default support). */
export function supportIds(turn: InspectedTurn, i: number): number[] {
  if (turn.sample) return turn.sample.support_ids[i] ?? [];
  return turn.report?.studentTop[i]?.ids ?? [];
}

export function tokenCells(turn: InspectedTurn, decode: (id: number) => string): TokenCell[] {
  const report = turn.report;
  return turn.responseIds.map((id, i) => {
    let opd: number | null = null;
    if (report && report.advantages[i]) {
      const j = supportIds(turn, i).indexOf(id);
      if (j >= 0) opd = report.advantages[i][j] ?? null;
    }
    const trains = turn.sample ? (turn.sample.loss_mask[i] ?? 0) > 0 : true;
    return { index: i, id, glyph: visibleGlyph(decode(id)), opd, grpo: turn.score, hint: report ? (report.perPosition[i] ?? -1) : -1, trains };
  });
}

export interface TopRow {
  id: number;
  glyph: string;
  prob: number;
  /** In both the student's and this hint's teacher's top-k: counted in O[h,i]. */
  shared: boolean;
}

export interface SupportRow {
  id: number;
  glyph: string;
  /** w_v: π_old renormalised within S_i. */
  weight: number;
  /** l_T(v) − l_old(v) before the clip. */
  delta: number;
  /** D_v after the clip, recovered as A_v / w_v (equal to delta unless the clip bit). */
  clippedDelta: number;
  advantage: number;
  clipped: boolean;
}

export interface PositionDetail {
  index: number;
  sampledId: number;
  sampledGlyph: string;
  /** The hint h*(i) the directive signal used here. */
  selectedHint: number;
  student: TopRow[];
  /** Per hint candidate: its teacher's top-k, overlaps with the student's marked. */
  teachers: TopRow[][];
  /** O[h,i] per hint. */
  overlap: number[];
  /** S_i under the selected hint with w, Δ before/after the clip and A; empty where the position is masked. */
  support: SupportRow[];
}

/** Softmax of log-probs within a set (METHOD §5 `w_v`), stable, float64. */
export function renormalised(logprobs: readonly number[]): number[] {
  const max = Math.max(...logprobs);
  if (!Number.isFinite(max)) return logprobs.map(() => 0);
  const e = logprobs.map((l) => Math.exp(l - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

/**
 * Everything the inspector shows for position i: the student's top-k (overlaps with hint `shownHint`'s
 * teacher marked), every hint's teacher top-k, O[h,i], and S_i with w, Δ, clipped Δ and A (METHOD §4–5).
 */
export function positionDetail(turn: InspectedTurn, i: number, decode: (id: number) => string, shownHint?: number): PositionDetail | null {
  const report = turn.report;
  if (!report || i < 0 || i >= turn.responseIds.length || !report.studentTop[i]) return null;
  const selectedHint = report.perPosition[i] ?? 0;
  const shown = shownHint ?? selectedHint;
  const studentIds = report.studentTop[i].ids;
  const row = (ids: number[], logprobs: number[], other: number[]): TopRow[] =>
    ids.map((id, j) => ({ id, glyph: visibleGlyph(decode(id)), prob: Math.exp(logprobs[j]), shared: other.includes(id) }));
  const teachers = report.teacherTop.map((byPosition) => row(byPosition[i].ids, byPosition[i].logprobs, studentIds));
  const shownTeacherIds = report.teacherTop[shown]?.[i]?.ids ?? [];
  const ids = supportIds(turn, i);
  const deltas = report.deltas[i] ?? [];
  const advantages = report.advantages[i] ?? [];
  // l_old over S_i: recorded in the sample, else read from the student's top-k (student support).
  const lOld = turn.sample
    ? (turn.sample.old_logprobs_at_support[i] ?? [])
    : ids.map((id) => report.studentTop[i].logprobs[studentIds.indexOf(id)]);
  const weights = renormalised(lOld);
  const support = ids.map((id, j): SupportRow => {
    const delta = deltas[j];
    const advantage = advantages[j];
    // clip(Δ, ±C) as the advantage used it: read back from A / w, or, where w is too small for that (a token the
    // student gives ~0 probability), from the report's C (older reports without it: Δ as is)
    const C = report.clip;
    const clippedDelta = weights[j] > 1e-6 ? advantage / weights[j] : C !== undefined && C > 0 ? Math.max(-C, Math.min(C, delta)) : delta;
    const clipped = Math.abs(clippedDelta - delta) > 1e-4 * Math.max(1, Math.abs(delta));
    return { id, glyph: visibleGlyph(decode(id)), weight: weights[j], delta, clippedDelta, advantage, clipped };
  });
  return {
    index: i,
    sampledId: turn.responseIds[i],
    sampledGlyph: visibleGlyph(decode(turn.responseIds[i])),
    selectedHint,
    student: row(studentIds, report.studentTop[i].logprobs, shownTeacherIds),
    teachers,
    overlap: report.overlap.map((o) => o[i]),
    support,
  };
}
