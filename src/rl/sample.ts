/**
 * One training sample per turn (METHOD §6 three-case dispatch, §4 selection and support, §8 record).
 */
import { overlapCounts } from './overlap.ts';
import type { SampleCase, SampleRecord } from './records.ts';
import { selectHint, supportSet } from './selection.ts';
import type { Settings } from './settings.ts';
import { topK } from './topk.ts';

/**
 * `sampleCase(score, hasHint)` (METHOD §6): hint & r = ±1 → `combined`; hint & r = 0 → `opd`;
 * no hint & r = ±1 → `grpo`; neither → null (no sample).
 */
export function sampleCase(score: number, hasHint: boolean): SampleCase | null {
  if (score !== -1 && score !== 0 && score !== 1) throw new RangeError(`sampleCase: score must be -1, 0 or 1, got ${score}`);
  if (hasHint) return score === 0 ? 'opd' : 'combined';
  return score === 0 ? null : 'grpo';
}

/** The settings that say whether a sample of a case has any loss (METHOD §6). */
export type TermWeights = Pick<Settings, 'wRL' | 'wOPD' | 'klCoef' | 'entropyCoef'>;

/**
 * `caseTrains(which, settings)`: whether a sample of this case has any loss term under the settings. A `grpo`
 * sample with w_RL = 0 (OPD only) or an `opd` one with w_OPD = 0 (GRPO only) has none unless a KL or entropy
 * term is on: such a turn makes no sample, as the reference's single-method runs make none. Trained, it would
 * still move the weights: Adam's step on a zero gradient follows its momentum, and weight decay applies.
 */
export function caseTrains(which: SampleCase, settings: TermWeights): boolean {
  if (settings.klCoef !== 0 || settings.entropyCoef !== 0) return true;
  if (which === 'grpo') return settings.wRL !== 0;
  if (which === 'opd') return settings.wOPD !== 0;
  return settings.wRL !== 0 || settings.wOPD !== 0;
}

export interface SampleInput {
  sessionId: string;
  turn: number;
  /** Version of the policy that sampled the reply (METHOD §7). */
  policyVersion: number;
  promptIds: readonly number[];
  responseIds: readonly number[];
  /** The sampling policy's log-prob of each response token. */
  responseLogprobs: ArrayLike<number>;
  /** The evaluative score r (METHOD §2). */
  score: -1 | 0 | 1;
  /** Environments: the step reward `outcome + mean(valid votes)` (METHOD §2); the GRPO term's r. */
  stepReward?: number;
  /** The accepted hint candidates, shortest first (METHOD §3); empty when the directive judge found none. */
  hints: readonly string[];
  /** Needed when there are hints: vocabulary size V of the rows below. */
  vocabSize?: number;
  /** [T·V] π_old's global log-probs at each response position, original context (METHOD §4–5). */
  studentLogprobs?: ArrayLike<number>;
  /** [h][T·V] the teacher's global log-probs under `teacherMessages(messages, hints[h])`. */
  teacherLogprobs?: readonly ArrayLike<number>[];
}

/** A per-turn seed for `random` selection: reproducible from settings.seed, different for each turn. */
export function turnSeed(seed: number, sessionId: string, turn: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${sessionId}\u0000${turn}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** A sample record with no support yet: every response token trains, no hint selected (METHOD §8). */
export function newSampleRecord(input: SampleInput, which: SampleCase): SampleRecord {
  const T = input.responseIds.length;
  if (T === 0) throw new RangeError('buildSample: empty response');
  if (input.responseLogprobs.length !== T) throw new RangeError('buildSample: one response log-prob per response token');
  return {
    session_id: input.sessionId,
    turn: input.turn,
    policy_version: input.policyVersion,
    case: which,
    prompt_ids: [...input.promptIds],
    response_ids: [...input.responseIds],
    response_logprobs: Array.from(input.responseLogprobs),
    loss_mask: new Array<number>(T).fill(1),
    reward: input.stepReward === undefined ? { score: input.score } : { score: input.score, step: input.stepReward },
    hints: [...input.hints],
    hint: null,
    hint_index: new Array<number>(T).fill(-1),
    support_ids: Array.from({ length: T }, () => []),
    old_logprobs_at_support: Array.from({ length: T }, () => []),
    teacher_logprobs_at_support: Array.from({ length: T }, () => []),
  };
}

/**
 * `buildSample(input, settings)`: the turn's training sample, or null when it has none (METHOD §6; also when
 * its case has no loss under the settings, `caseTrains`).
 * With hints: top-k of student and teacher rows, `O[h,i]`, hint selection, support S_i and the log-probs
 * of both policies there (METHOD §4–5; advantages are computed from them with C at batch time).
 * In the `opd` case a position whose support is empty leaves the loss mask; if none is left, null.
 */
export function buildSample(
  input: SampleInput,
  settings: Pick<Settings, 'k' | 'selection' | 'support' | 'seed'> & TermWeights,
): SampleRecord | null {
  const which = sampleCase(input.score, input.hints.length > 0);
  if (which === null || !caseTrains(which, settings)) return null;
  const record = newSampleRecord(input, which);
  const T = record.response_ids.length;
  if (which === 'grpo') return record;

  const { vocabSize: V, studentLogprobs: student, teacherLogprobs: teachers } = input;
  if (!V || !student || !teachers) throw new RangeError('buildSample: a hinted sample needs vocabSize, studentLogprobs and teacherLogprobs');
  if (student.length !== T * V || teachers.length !== input.hints.length || teachers.some((t) => t.length !== T * V)) {
    throw new RangeError(`buildSample: log-prob rows must be [T·V] = ${T * V} for the student and for each of ${input.hints.length} hints`);
  }
  const row = (flat: ArrayLike<number>, i: number) => Array.prototype.slice.call(flat, i * V, (i + 1) * V) as number[];
  const studentTop = Array.from({ length: T }, (_, i) => topK(row(student, i), settings.k).ids);
  const teacherTop = teachers.map((t) => Array.from({ length: T }, (_, i) => topK(row(t, i), settings.k).ids));
  const selection = selectHint(overlapCounts(studentTop, teacherTop), settings.selection, {
    seed: turnSeed(settings.seed, input.sessionId, input.turn),
  });
  const positions = Array.from({ length: T }, (_, i) => {
    const h = selection.perPosition[i];
    const ids = Array.from(supportSet(studentTop[i], teacherTop[h][i], settings.support));
    return { hint: h, ids, oldLogprobs: ids.map((v) => student[i * V + v]), teacherLogprobs: ids.map((v) => teachers[h][i * V + v]) };
  });
  return withSupport(record, input.hints, positions);
}

/** One response position's selected hint and support set S_i with both policies' log-probs there (METHOD §4–5). */
export interface SupportAtPosition {
  hint: number;
  ids: number[];
  oldLogprobs: number[];
  teacherLogprobs: number[];
}

/**
 * Fills a hinted sample's per-position support (from the reference above, or from the WGSL kernels);
 * the selected `hint` is the one chosen at most positions, ties to the shorter. In the `opd` case a
 * position with an empty support leaves the loss mask; with none left there is no sample (null).
 */
export function withSupport(record: SampleRecord, hints: readonly string[], positions: readonly SupportAtPosition[]): SampleRecord | null {
  const uses = new Array<number>(hints.length).fill(0);
  positions.forEach((p, i) => {
    uses[p.hint]++;
    record.hint_index[i] = p.hint;
    record.support_ids[i] = p.ids;
    record.old_logprobs_at_support[i] = p.oldLogprobs;
    record.teacher_logprobs_at_support[i] = p.teacherLogprobs;
    if (record.case === 'opd' && p.ids.length === 0) record.loss_mask[i] = 0;
  });
  record.hint = hints[uses.indexOf(Math.max(...uses))];
  return record.loss_mask.some((m) => m === 1) ? record : null;
}
