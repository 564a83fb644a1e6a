/**
 * Reading export files back (issue 6 "Sessions"): every file is validated, and the files against each
 * other, before anything is written. A foreign or corrupt file is refused with every problem found,
 * each naming its file, line and field.
 */
import type { NextState } from '../rl/judge/types.ts';
import { RECORD_SCHEMA_NAME, RECORD_SCHEMA_VERSION, type RecordKind, type SampleRecord, type TurnRecord } from '../rl/records.ts';
import { count, nonEmptyString, objectOf, oneOf, optional, string, timeWithin, turnNumber, validateRecord, type Check,
  type RecordLimits } from '../rl/record-validate.ts';
import { ImportRefusedError } from './errors.ts';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type ExportManifest, type SampleState, type TurnState } from './export.ts';
import { STORE_SCHEMA_VERSION } from './migrations.ts';
import { turnStateCheck } from './stored-session.ts';
import { EXPORT_FILE_NAMES, SAMPLE_STATUSES, SESSION_KINDS, type JudgeRecord, type SessionInfo, type StoredSample,
  type StoredTurn } from './types.ts';

/** What an import writes, all of it valid and consistent. */
export interface ImportPlan {
  sessions: SessionInfo[];
  turns: StoredTurn[];
  judges: JudgeRecord[];
  samples: StoredSample[];
}

const MAX_PROBLEMS_PER_FILE = 10;
/** The oldest manifest format this build still reads (v1: samples were pending, trained or stale). */
const OLDEST_EXPORT_FORMAT_VERSION = 1;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);
const isCount = (v: unknown, min = 0) => Number.isInteger(v) && (v as number) >= min;
const turnKey = (sessionId: string, turn: number) => JSON.stringify([sessionId, turn]);
const own = (v: object, key: string) => Object.hasOwn(v, key);

/** The records of one JSONL file, each checked against the kind `kindOf` expects for it. */
function readJsonl(file: string, text: string, kindOf: (value: Record<string, unknown>) => RecordKind, limits: RecordLimits, problems: string[]) {
  const records: { kind: RecordKind; value: Record<string, unknown> }[] = [];
  const mine: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && mine.length < MAX_PROBLEMS_PER_FILE; i++) {
    if (lines[i].trim() === '') continue;
    const at = `${file} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch {
      mine.push(`${at}: not JSON`);
      continue;
    }
    if (!isObject(value)) {
      mine.push(`${at}: a record must be a JSON object, got ${show(value)}`);
      continue;
    }
    if (own(value, 'schema')) {
      // An optional header line (recordsToJsonl's default): it may only say this schema.
      if (records.length > 0) mine.push(`${at}: a header line may only come first`);
      else if (value.schema !== RECORD_SCHEMA_NAME) mine.push(`${at}: foreign schema ${show(value.schema)}`);
      else if (!isCount(value.version, 1) || (value.version as number) > RECORD_SCHEMA_VERSION) {
        mine.push(`${at}: record schema version ${show(value.version)} is newer than this build reads (${RECORD_SCHEMA_VERSION})`);
      }
      continue;
    }
    const kind = kindOf(value);
    const problem = validateRecord(kind, value, limits);
    if (problem) mine.push(`${at}: ${problem}`);
    else records.push({ kind, value });
  }
  problems.push(...mine);
  return records;
}

const PLACEHOLDER_NEXT_STATE: NextState = { role: 'user', content: '' };

/**
 * The manifest's lists, entry by entry: exactly the fields `export.ts` writes (own properties; an unknown or
 * ill-typed field is refused, never spread over a record), token ids in the vocabulary, times plausible.
 */
function manifestListChecks(limits: RecordLimits): [keyof ExportManifest, Check][] {
  const time = timeWithin(limits);
  return [
    ['sessions', objectOf({ id: nonEmptyString, title: string, createdAt: time, updatedAt: time, kind: oneOf(...SESSION_KINDS) })],
    ['turn_state', turnStateCheck(limits)],
    ['open_turns', (t, p) => {
      if (!isObject(t) || own(t, 'next_state')) return `${p} must be a turn without next_state`;
      const problem = validateRecord('turn', { ...t, next_state: PLACEHOLDER_NEXT_STATE }, limits);
      return problem && `${p}: ${problem}`;
    }],
    ['sample_state', objectOf({
      session_id: nonEmptyString, turn: turnNumber, id: nonEmptyString, status: oneOf(...SAMPLE_STATUSES), trained_in_update: optional(count),
      error: optional(string),
    } satisfies Record<keyof SampleState, Check>)],
  ];
}

const MANIFEST_FIELDS: readonly (keyof ExportManifest)[] = ['format', 'format_version', 'record_schema', 'record_schema_version',
  'store_schema_version', 'exported_at', 'sessions', 'turn_state', 'open_turns', 'sample_state', 'counts'];

/** The manifest, or null with the problems that make it unusable (a foreign file stops at its first). */
function readManifest(text: string, limits: RecordLimits, problems: string[]): ExportManifest | null {
  const at = 'manifest.json';
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    problems.push(`${at}: not JSON`);
    return null;
  }
  if (!isObject(m) || !own(m, 'format') || m.format !== EXPORT_FORMAT) {
    problems.push(`${at}: not a NextState export (format is ${show(isObject(m) && own(m, 'format') ? m.format : m)}, expected "${EXPORT_FORMAT}")`);
    return null;
  }
  const found: string[] = [];
  const field = (key: string) => (own(m as Record<string, unknown>, key) ? (m as Record<string, unknown>)[key] : undefined);
  const extra = Object.keys(m).filter((k) => !(MANIFEST_FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) found.push(`${at}: unknown field(s) ${extra.map((k) => `"${k}"`).join(', ')}`);
  const version = field('format_version');
  if (!isCount(version, OLDEST_EXPORT_FORMAT_VERSION) || (version as number) > EXPORT_FORMAT_VERSION) {
    found.push(`${at}: format_version ${show(version)} is not supported (this build reads ${OLDEST_EXPORT_FORMAT_VERSION}..${EXPORT_FORMAT_VERSION})`);
  }
  if (field('record_schema') !== RECORD_SCHEMA_NAME) found.push(`${at}: record_schema ${show(field('record_schema'))} is foreign`);
  const recordVersion = field('record_schema_version');
  if (!isCount(recordVersion, 1) || (recordVersion as number) > RECORD_SCHEMA_VERSION) {
    found.push(`${at}: record_schema_version ${show(recordVersion)} is not supported (this build reads 1..${RECORD_SCHEMA_VERSION})`);
  }
  const storeVersion = field('store_schema_version');
  if (!isCount(storeVersion) || (storeVersion as number) > STORE_SCHEMA_VERSION) {
    found.push(`${at}: store_schema_version ${show(storeVersion)} is newer than this build (${STORE_SCHEMA_VERSION})`);
  }
  const exportedAt = timeWithin(limits)(field('exported_at'), 'exported_at');
  if (exportedAt) found.push(`${at}: ${exportedAt}`);
  for (const [name, problemOf] of manifestListChecks(limits)) {
    const list = field(name);
    if (!Array.isArray(list)) {
      found.push(`${at}: ${name} must be an array`);
      continue;
    }
    for (let i = 0; i < list.length && found.length < MAX_PROBLEMS_PER_FILE; i++) {
      const problem = problemOf(list[i], `${name}[${i}]`);
      if (problem) found.push(`${at}: ${problem}`);
    }
  }
  const counts = objectOf({ sessions: count, turns: count, judges: count, samples: count })(field('counts'), 'counts');
  if (counts) found.push(`${at}: ${counts}`);
  problems.push(...found.slice(0, MAX_PROBLEMS_PER_FILE));
  return found.length === 0 ? (m as unknown as ExportManifest) : null;
}

/** Checks the files against each other: every record belongs to a listed session and turn, nothing twice. */
function crossCheck(m: ExportManifest, turns: TurnRecord[], judges: JudgeRecord[], samples: SampleRecord[]): string[] {
  const problems: string[] = [];
  const note = (p: string) => problems.length < 3 * MAX_PROBLEMS_PER_FILE && problems.push(p);
  const sessionIds = new Set<string>();
  for (const s of m.sessions) {
    if (sessionIds.has(s.id)) note(`manifest.json: session "${s.id}" is listed twice`);
    sessionIds.add(s.id);
  }
  const actual = { sessions: m.sessions.length, turns: turns.length + m.open_turns.length, judges: judges.length, samples: samples.length };
  for (const [what, n] of Object.entries(actual)) {
    const said = m.counts[what as keyof typeof actual];
    if (said !== n) note(`the files hold ${n} ${what}, manifest.json says ${said} (a truncated or edited file?)`);
  }
  const turnKeys = new Set<string>();
  const allTurns: [string, Omit<TurnRecord, 'next_state'>][] = [
    ...turns.map((t, i): [string, TurnRecord] => [`turns.jsonl record ${i + 1}`, t]),
    ...m.open_turns.map((t, i): [string, Omit<TurnRecord, 'next_state'>] => [`manifest.json: open_turns[${i}]`, t]),
  ];
  for (const [at, t] of allTurns) {
    if (!sessionIds.has(t.session_id)) note(`${at}: session_id "${t.session_id}" is not among the manifest's sessions`);
    const key = turnKey(t.session_id, t.turn);
    if (turnKeys.has(key)) note(`${at}: turn ${t.turn} of session "${t.session_id}" appears twice`);
    turnKeys.add(key);
  }
  const stated = new Set<string>();
  m.turn_state.forEach((s, i) => {
    const key = turnKey(s.session_id, s.turn);
    if (!turnKeys.has(key) || stated.has(key)) note(`manifest.json: turn_state[${i}] does not match exactly one turn`);
    stated.add(key);
  });
  if (stated.size !== turnKeys.size) note(`manifest.json: turn_state covers ${stated.size} of ${turnKeys.size} turns`);
  const judged = new Set<string>();
  judges.forEach((j, i) => {
    const key = JSON.stringify([j.session_id, j.turn, own(j, 'accepted')]);
    if (!turnKeys.has(turnKey(j.session_id, j.turn))) note(`judge.jsonl record ${i + 1}: turn ${j.turn} of session "${j.session_id}" is not in the export`);
    if (judged.has(key)) note(`judge.jsonl record ${i + 1}: a second ${own(j, 'accepted') ? 'directive' : 'evaluative'} record for turn ${j.turn} of "${j.session_id}"`);
    judged.add(key);
  });
  if (m.sample_state.length !== samples.length) note(`manifest.json: sample_state has ${m.sample_state.length} entries, samples.jsonl ${samples.length}`);
  const sampleIds = new Set<string>();
  samples.forEach((s, i) => {
    const state = m.sample_state[i];
    if (!turnKeys.has(turnKey(s.session_id, s.turn))) note(`samples.jsonl record ${i + 1}: turn ${s.turn} of session "${s.session_id}" is not in the export`);
    if (state && (state.session_id !== s.session_id || state.turn !== s.turn)) note(`manifest.json: sample_state[${i}] names another turn than samples.jsonl record ${i + 1}`);
    if (state && sampleIds.has(state.id)) note(`manifest.json: sample id "${state.id}" appears twice`);
    if (state) sampleIds.add(state.id);
  });
  return problems;
}

/** Validates export files and returns what to write; throws `ImportRefusedError` listing every problem. */
export function parseExport(files: Partial<Record<string, string>>, limits: RecordLimits): ImportPlan {
  const missing = EXPORT_FILE_NAMES.filter((name) => typeof files[name] !== 'string');
  if (missing.length > 0) throw new ImportRefusedError([`missing file(s): ${missing.join(', ')}`]);
  const problems: string[] = [];
  const manifest = readManifest(files['manifest.json']!, limits, problems);
  if (!manifest) throw new ImportRefusedError(problems);
  const turns = readJsonl('turns.jsonl', files['turns.jsonl']!, () => 'turn', limits, problems).map((r) => r.value as unknown as TurnRecord);
  const judges = readJsonl('judge.jsonl', files['judge.jsonl']!, (v) => (own(v, 'accepted') ? 'directive' : 'evaluative'), limits, problems)
    .map((r) => r.value as unknown as JudgeRecord);
  const samples = readJsonl('samples.jsonl', files['samples.jsonl']!, () => 'sample', limits, problems).map((r) => r.value as unknown as SampleRecord);
  if (problems.length > 0) throw new ImportRefusedError(problems);
  const mismatches = crossCheck(manifest, turns, judges, samples);
  if (mismatches.length > 0) throw new ImportRefusedError(mismatches);

  const stateOf = new Map(manifest.turn_state.map((s): [string, TurnState] => [turnKey(s.session_id, s.turn), s]));
  const stored = (t: Omit<TurnRecord, 'next_state'>, nextState: NextState | null): StoredTurn => {
    const s = stateOf.get(turnKey(t.session_id, t.turn))!;
    // Signals are this browser's work: a turn exported before its signals were done is not judged here, or
    // its sample would carry another browser's version number into training (METHOD §7).
    const unsignalled = s.status === 'pending_signals';
    return {
      session_id: t.session_id, turn: t.turn, timestamp: t.timestamp, messages: t.messages, prompt_text: t.prompt_text,
      response_text: t.response_text, tool_calls: t.tool_calls, next_state: nextState, policy_version: s.policy_version,
      prompt_ids: s.prompt_ids, response_ids: s.response_ids, response_logprobs: s.response_logprobs,
      status: unsignalled ? 'signals_done' : s.status,
      ...(s.trained_in_update === undefined ? {} : { trained_in_update: s.trained_in_update }),
      ...(unsignalled ? { error: 'Imported before its signals were computed; not judged here.' } : s.error === undefined ? {} : { error: s.error }),
    };
  };
  return {
    sessions: manifest.sessions.map((s) => ({ id: s.id, title: s.title, createdAt: s.createdAt, updatedAt: s.updatedAt, kind: s.kind })),
    turns: [...turns.map((t) => stored(t, t.next_state)), ...manifest.open_turns.map((t) => stored(t, null))],
    judges,
    samples: samples.map((s, i) => {
      const state = manifest.sample_state[i];
      // Version numbers are per browser, so an imported pending sample is foreign: trained only when the visitor asks.
      return {
        ...s, id: state.id, status: state.status === 'pending' ? 'foreign' : state.status,
        ...(state.trained_in_update === undefined ? {} : { trained_in_update: state.trained_in_update }),
        ...(state.error === undefined ? {} : { error: state.error }),
      };
    }),
  };
}
