/**
 * A stored session's records, checked where they enter (an import's manifest) and where they leave for the page
 * (a session being opened): METHOD §8 record fields plus the store's own. A store written before these checks
 * existed may hold a record no view can render; opening it then fails with what is wrong, never a crash.
 */
import { RECORD_FIELDS } from '../rl/records.ts';
import { arrayOf, count, logProb, nonEmptyString, objectOf, oneOf, optional, string, tokenIdBelow, turnNumber, validateRecord,
  type Check, type RecordLimits } from '../rl/record-validate.ts';
import type { TurnState } from './export.ts';
import { TURN_STATUSES, type JudgeRecord, type StoredSample, type StoredTurn } from './types.ts';

/** A turn's loop fields (the manifest's `turn_state` entry): exactly these, each well typed. */
export function turnStateCheck(limits: RecordLimits): Check {
  const ids = arrayOf(tokenIdBelow(limits.vocabSize));
  return objectOf({
    session_id: nonEmptyString, turn: turnNumber, policy_version: count, prompt_ids: ids, response_ids: ids,
    response_logprobs: arrayOf(logProb), status: oneOf(...TURN_STATUSES), trained_in_update: optional(count), error: optional(string),
  } satisfies Record<keyof TurnState, Check>);
}

/** Any time a browser can show as a date: stored times are not held to this clock (it may have moved). */
const SHOWABLE_TIMES = { earliestMs: -8.64e15, latestMs: 8.64e15 };

/** Null when `value` is a turn the page can show (as the loop stores it, with its optional report), else what is wrong. */
export function storedTurnProblem(value: unknown, vocabSize?: number): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the turn is not an object';
  const limits: RecordLimits = { vocabSize, ...SHOWABLE_TIMES };
  const recordKeys: readonly string[] = RECORD_FIELDS.turn;
  const record: Record<string, unknown> = {};
  const loop: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    // Checked on their own below: the inspector's report, and a remote policy's token strings (issue 16).
    if (key === 'report' || key === 'response_tokens') continue;
    if (recordKeys.includes(key)) record[key] = field;
    if (!recordKeys.includes(key) || key === 'session_id' || key === 'turn') loop[key] = field;
  }
  // A turn still waiting has no next state; the record check needs one.
  if (record.next_state === null) record.next_state = { role: 'user', content: '' };
  const report = Object.hasOwn(value, 'report') ? (value as { report: unknown }).report : undefined;
  if (report !== undefined && report !== null && (typeof report !== 'object' || Array.isArray(report))) return 'turn.report must be an object';
  const tokens = Object.hasOwn(value, 'response_tokens') ? (value as { response_tokens: unknown }).response_tokens : undefined;
  const tokensProblem = tokens === undefined ? null : arrayOf(string)(tokens, 'turn.response_tokens');
  if (tokensProblem) return tokensProblem;
  return validateRecord('turn', record, limits) ?? turnStateCheck(limits)(loop, 'turn');
}

const pick = (value: object, keys: readonly string[]) => Object.fromEntries(Object.entries(value).filter(([k]) => keys.includes(k)));

/** The first problem in a session's stored records, naming the record and field, or null when the page can show them all. */
export function storedSessionProblem(records: { turns: StoredTurn[]; judges: JudgeRecord[]; samples: StoredSample[] }, vocabSize?: number): string | null {
  const limits: RecordLimits = { vocabSize, ...SHOWABLE_TIMES };
  for (const t of records.turns) {
    const problem = storedTurnProblem(t, vocabSize);
    if (problem) return `turn ${String((t as Partial<StoredTurn>)?.turn)}: ${problem}`;
  }
  for (const j of records.judges) {
    const problem = validateRecord(Object.hasOwn(j, 'accepted') ? 'directive' : 'evaluative', j, limits);
    if (problem) return `judge record of turn ${String(j?.turn)}: ${problem}`;
  }
  for (const s of records.samples) {
    const problem = validateRecord('sample', pick(s, RECORD_FIELDS.sample), limits);
    if (problem) return `sample of turn ${String(s?.turn)}: ${problem}`;
  }
  return null;
}
