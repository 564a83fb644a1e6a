/**
 * The validator the import feature uses (METHOD §8): it accepts only lines of the one record schema and
 * says, per line, what is wrong with anything foreign or corrupt.
 */
import {
  RECORD_FIELDS,
  RECORD_KINDS,
  RECORD_SCHEMA_NAME,
  RECORD_SCHEMA_VERSION,
  type RecordKind,
  type RecordOfKind,
} from './records.ts';

/** A file or line that is not a valid record; the message names the line and the problem. */
export class RecordError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'RecordError';
  }
}

/**
 * What a record is checked against beyond its shape: token ids must index the vocabulary of the policy the
 * records will train (another base model brings its own `vocabSize`), and times must be plausible.
 */
export interface RecordLimits {
  /** Token ids must lie in 0..vocabSize-1; without it only "integer ≥ 0" is checked (records read on their own). */
  vocabSize?: number;
  /** Unix ms: times must lie in [earliestMs, latestMs]. */
  earliestMs: number;
  latestMs: number;
}

/** The earliest plausible record time: 2000-01-01 UTC. */
export const EARLIEST_RECORD_MS = Date.UTC(2000, 0, 1);
/** Clocks differ between machines; a day ahead of this one is still plausible, more is not. */
const CLOCK_SLACK_MS = 24 * 3600 * 1000;

/** The limits for records that will train a policy with `vocabSize` tokens, times up to a day after `now`. */
export function recordLimits(vocabSize?: number, now = Date.now()): RecordLimits {
  return { vocabSize, earliestMs: EARLIEST_RECORD_MS, latestMs: now + CLOCK_SLACK_MS };
}

/** Null when `value` (found at `path`) is acceptable, else what is wrong with it. */
export type Check = (value: unknown, path: string) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

export const string: Check = (v, p) => (typeof v === 'string' ? null : `${p} must be a string, got ${show(v)}`);
export const nonEmptyString: Check = (v, p) => (typeof v === 'string' && v.length > 0 ? null : `${p} must be a non-empty string, got ${show(v)}`);
const boolean: Check = (v, p) => (typeof v === 'boolean' ? null : `${p} must be true or false, got ${show(v)}`);
const finite: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p} must be a finite number, got ${show(v)}`);
export const logProb: Check = (v, p) => finite(v, p) ?? ((v as number) <= 1e-6 ? null : `${p} must be a log-probability (≤ 0), got ${show(v)}`);
export const tokenIdBelow = (vocabSize: number | undefined): Check => (v, p) => {
  if (!Number.isInteger(v) || (v as number) < 0) return `${p} must be a token id (integer ≥ 0), got ${show(v)}`;
  return vocabSize === undefined || (v as number) < vocabSize ? null : `${p} is token id ${show(v)}, outside the policy's vocabulary (0..${vocabSize - 1})`;
};
/** A Unix time in ms within the limits (`updatedAt: 9e15` is not a date any browser shows). */
export const timeWithin = (limits: RecordLimits): Check => (v, p) => {
  const problem = finite(v, p);
  if (problem) return problem;
  const ms = v as number;
  if (ms >= limits.earliestMs && ms <= limits.latestMs) return null;
  return `${p} must be a time between ${new Date(limits.earliestMs).toISOString()} and ${new Date(limits.latestMs).toISOString()}, got ${show(v)}`;
};
export const turnNumber: Check = (v, p) => (Number.isInteger(v) && (v as number) >= 1 ? null : `${p} must be a turn number (integer ≥ 1), got ${show(v)}`);
export const oneOf = (...allowed: unknown[]): Check => (v, p) => (allowed.includes(v) ? null : `${p} must be one of ${allowed.map(show).join(', ')}, got ${show(v)}`);
const score = oneOf(-1, 0, 1);

export function arrayOf(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array, got ${show(v)}`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
}

/** An optional field: absent, or what `check` accepts. */
export const optional = (check: Check): Check => (v, p) => (v === undefined ? null : check(v, p));
/** An integer ≥ 0 (a count or a version). */
export const count: Check = (v, p) => (Number.isInteger(v) && (v as number) >= 0 ? null : `${p} must be an integer ≥ 0, got ${show(v)}`);

/** Exactly these own fields (a `toString` or `__proto__` key is an unknown field), each passing its check. */
export function objectOf(fields: Record<string, Check>): Check {
  return (v, p) => {
    if (!isObject(v)) return `${p} must be an object, got ${show(v)}`;
    const extra = Object.keys(v).find((k) => !Object.hasOwn(fields, k));
    if (extra !== undefined) return `${p} has an unknown field "${extra}"`;
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(Object.hasOwn(v, key) ? v[key] : undefined, `${p}.${key}`);
      if (problem) return problem;
    }
    return null;
  };
}

const message = objectOf({ role: oneOf('system', 'user', 'assistant', 'tool'), content: string });
const toolCall = objectOf({ id: string, name: nonEmptyString, arguments: string });

/** Each kind's field checks (own properties only: a `toString` or `__proto__` key is an unknown field). */
const fieldChecks = (limits: RecordLimits): { [K in RecordKind]: Record<keyof RecordOfKind[K], Check> } => {
  const tokenId = tokenIdBelow(limits.vocabSize);
  return {
    turn: {
      session_id: nonEmptyString,
      turn: turnNumber,
      timestamp: timeWithin(limits),
      messages: arrayOf(message),
      prompt_text: string,
      response_text: string,
      tool_calls: arrayOf(toolCall),
      next_state: objectOf({ role: oneOf('user', 'tool'), content: string }),
    },
    evaluative: { session_id: nonEmptyString, turn: turnNumber, score, votes: arrayOf(oneOf(-1, 0, 1, null)) },
    directive: {
      session_id: nonEmptyString,
      turn: turnNumber,
      accepted: boolean,
      hints: arrayOf(nonEmptyString),
      votes: arrayOf(objectOf({ score: (v, p) => (v === null ? null : finite(v, p)), hint: (v, p) => (v === null ? null : string(v, p)) })),
    },
    sample: {
      session_id: nonEmptyString,
      turn: turnNumber,
      policy_version: count,
      case: oneOf('combined', 'opd', 'grpo'),
      prompt_ids: arrayOf(tokenId),
      response_ids: arrayOf(tokenId),
      response_logprobs: arrayOf(logProb),
      loss_mask: arrayOf(oneOf(0, 1)),
      reward: objectOf({ score, step: (v, p) => (v === undefined ? null : finite(v, p)) }),
      hints: arrayOf(nonEmptyString),
      hint: (v, p) => (v === null ? null : nonEmptyString(v, p)),
      hint_index: arrayOf((v, p) => (Number.isInteger(v) && (v as number) >= -1 ? null : `${p} must be an integer ≥ -1, got ${show(v)}`)),
      support_ids: arrayOf(arrayOf(tokenId)),
      old_logprobs_at_support: arrayOf(arrayOf(logProb)),
      teacher_logprobs_at_support: arrayOf(arrayOf(logProb)),
    },
  };
};

/** Rules across fields that a field-by-field check cannot see. */
function consistencyProblem(kind: RecordKind, r: Record<string, unknown>): string | null {
  if (kind === 'directive') {
    return r.accepted === (r.hints as string[]).length > 0 ? null : 'accepted must be true exactly when there are hints';
  }
  if (kind !== 'sample') return null;
  const T = (r.response_ids as number[]).length;
  if (T === 0) return 'response_ids is empty';
  for (const key of ['response_logprobs', 'loss_mask', 'hint_index', 'support_ids', 'old_logprobs_at_support', 'teacher_logprobs_at_support']) {
    if ((r[key] as unknown[]).length !== T) return `${key} has ${(r[key] as unknown[]).length} entries, response_ids has ${T}`;
  }
  const support = r.support_ids as number[][];
  for (let t = 0; t < T; t++) {
    const n = support[t].length;
    if ((r.old_logprobs_at_support as number[][])[t].length !== n || (r.teacher_logprobs_at_support as number[][])[t].length !== n) {
      return `position ${t}: support_ids and its log-probs differ in length`;
    }
    if (new Set(support[t]).size !== n) return `position ${t}: support_ids repeats a token`;
  }
  const hints = r.hints as string[];
  const indexOk = (r.hint_index as number[]).every((h) => (hints.length === 0 ? h === -1 : h >= 0 && h < hints.length));
  if (!indexOk) return 'hint_index must point into hints (or be -1 when there are none)';
  const s = (r.reward as { score: number }).score;
  const expected = hints.length === 0 ? (s === 0 ? null : 'grpo') : s === 0 ? 'opd' : 'combined';
  if (r.case !== expected) return `case "${String(r.case)}" does not match score ${s} with ${hints.length} hints`;
  if ((r.hint === null) !== (hints.length === 0)) return 'hint must be null exactly when there are no hints';
  return null;
}

/** The kind whose field set is exactly the keys of `value`, or null. */
export function recordKindOf(value: unknown): RecordKind | null {
  if (!isObject(value)) return null;
  const keys = Object.keys(value).sort().join(',');
  return RECORD_KINDS.find((kind) => [...RECORD_FIELDS[kind]].sort().join(',') === keys) ?? null;
}

/**
 * `validateRecord(kind, value, limits)`: null when `value` is a valid record of `kind` (token ids in the
 * vocabulary, times plausible), else what is wrong.
 */
export function validateRecord(kind: RecordKind, value: unknown, limits: RecordLimits = recordLimits()): string | null {
  const checks = fieldChecks(limits)[kind] as Record<string, Check>;
  const problem = objectOf(checks)(value, kind);
  return problem ?? consistencyProblem(kind, value as Record<string, unknown>);
}

/**
 * `parseRecordsJsonl(text)`: the records of one exported file (with or without a header line; blank
 * lines skipped; one kind per file). Throws a `RecordError` at the first foreign or corrupt line.
 */
export function parseRecordsJsonl(text: string, limits: RecordLimits = recordLimits()): { kind: RecordKind; version: number; records: RecordOfKind[RecordKind][] } {
  let kind: RecordKind | null = null;
  let version = RECORD_SCHEMA_VERSION;
  const records: RecordOfKind[RecordKind][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (lines[i].trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch {
      throw new RecordError('not JSON', lineNo);
    }
    if (isObject(value) && Object.hasOwn(value, 'schema')) {
      if (records.length > 0 || kind !== null) throw new RecordError('a header line may only come first', lineNo);
      if (value.schema !== RECORD_SCHEMA_NAME) throw new RecordError(`foreign schema ${show(value.schema)}`, lineNo);
      if (!Number.isInteger(value.version) || (value.version as number) < 1 || (value.version as number) > RECORD_SCHEMA_VERSION) {
        throw new RecordError(`schema version ${show(value.version)} is not supported (this build reads 1..${RECORD_SCHEMA_VERSION})`, lineNo);
      }
      if (!RECORD_KINDS.includes(value.kind as RecordKind)) throw new RecordError(`unknown record kind ${show(value.kind)}`, lineNo);
      version = value.version as number;
      kind = value.kind as RecordKind;
      continue;
    }
    const lineKind: RecordKind | null = kind ?? recordKindOf(value);
    if (lineKind === null) throw new RecordError('not a record of any known kind (turn, evaluative, directive, sample)', lineNo);
    kind = lineKind;
    const problem = validateRecord(lineKind, value, limits);
    if (problem) throw new RecordError(problem, lineNo);
    records.push(value as RecordOfKind[RecordKind]);
  }
  if (kind === null) throw new RecordError('no records');
  return { kind, version, records };
}
