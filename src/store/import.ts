/**
 * Reading export files back (issue 6 "Sessions"): every file is validated, and the files against each
 * other, before anything is written. A foreign or corrupt file is refused with every problem found,
 * each naming its file, line and field.
 */
import type { NextState } from '../rl/judge/types.ts';
import { RECORD_SCHEMA_NAME, RECORD_SCHEMA_VERSION, type RecordKind, type SampleRecord, type TurnRecord } from '../rl/records.ts';
import { validateRecord } from '../rl/record-validate.ts';
import { ImportRefusedError } from './errors.ts';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type ExportManifest, type SampleState, type TurnState } from './export.ts';
import { STORE_SCHEMA_VERSION } from './migrations.ts';
import { EXPORT_FILE_NAMES, SAMPLE_STATUSES, SESSION_KINDS, TURN_STATUSES, type SampleStatus, type JudgeRecord, type SessionInfo, type StoredSample,
  type StoredTurn } from './types.ts';

/** What an import writes, all of it valid and consistent. */
export interface ImportPlan {
  sessions: SessionInfo[];
  turns: StoredTurn[];
  judges: JudgeRecord[];
  samples: StoredSample[];
}

const MAX_PROBLEMS_PER_FILE = 10;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);
const isCount = (v: unknown, min = 0) => Number.isInteger(v) && (v as number) >= min;
const turnKey = (sessionId: string, turn: number) => JSON.stringify([sessionId, turn]);

/** The records of one JSONL file, each checked against the kind `kindOf` expects for it. */
function readJsonl(file: string, text: string, kindOf: (value: Record<string, unknown>) => RecordKind, problems: string[]) {
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
    if ('schema' in value) {
      // An optional header line (recordsToJsonl's default): it may only say this schema.
      if (records.length > 0) mine.push(`${at}: a header line may only come first`);
      else if (value.schema !== RECORD_SCHEMA_NAME) mine.push(`${at}: foreign schema ${show(value.schema)}`);
      else if (!isCount(value.version, 1) || (value.version as number) > RECORD_SCHEMA_VERSION) {
        mine.push(`${at}: record schema version ${show(value.version)} is newer than this build reads (${RECORD_SCHEMA_VERSION})`);
      }
      continue;
    }
    const kind = kindOf(value);
    const problem = validateRecord(kind, value);
    if (problem) mine.push(`${at}: ${problem}`);
    else records.push({ kind, value });
  }
  problems.push(...mine);
  return records;
}

function sessionProblem(s: unknown, at: string): string | null {
  if (!isObject(s)) return `${at} must be an object`;
  if (typeof s.id !== 'string' || s.id === '') return `${at}.id must be a non-empty string, got ${show(s.id)}`;
  if (typeof s.title !== 'string') return `${at}.title must be a string, got ${show(s.title)}`;
  for (const f of ['createdAt', 'updatedAt']) if (!Number.isFinite(s[f])) return `${at}.${f} must be a time in ms, got ${show(s[f])}`;
  if (!SESSION_KINDS.includes(s.kind as SessionInfo['kind'])) return `${at}.kind must be one of ${SESSION_KINDS.join(', ')}, got ${show(s.kind)}`;
  return null;
}

function turnStateProblem(t: unknown, at: string): string | null {
  if (!isObject(t)) return `${at} must be an object`;
  if (typeof t.session_id !== 'string' || !isCount(t.turn, 1)) return `${at} must name a session_id and a turn ≥ 1`;
  if (!isCount(t.policy_version)) return `${at}.policy_version must be an integer ≥ 0, got ${show(t.policy_version)}`;
  for (const f of ['prompt_ids', 'response_ids']) {
    if (!Array.isArray(t[f]) || !(t[f] as unknown[]).every((id) => isCount(id))) return `${at}.${f} must be an array of token ids`;
  }
  const logprobs = t.response_logprobs;
  if (!Array.isArray(logprobs) || !logprobs.every((v) => Number.isFinite(v))) return `${at}.response_logprobs must be an array of numbers`;
  if (!TURN_STATUSES.includes(t.status as StoredTurn['status'])) return `${at}.status must be one of ${TURN_STATUSES.join(', ')}, got ${show(t.status)}`;
  if (t.trained_in_update !== undefined && !isCount(t.trained_in_update)) return `${at}.trained_in_update must be a version`;
  if (t.error !== undefined && typeof t.error !== 'string') return `${at}.error must be a string`;
  return null;
}

function sampleStateProblem(s: unknown, at: string): string | null {
  if (!isObject(s)) return `${at} must be an object`;
  if (typeof s.id !== 'string' || s.id === '') return `${at}.id must be a non-empty string, got ${show(s.id)}`;
  if (!SAMPLE_STATUSES.includes(s.status as SampleStatus)) return `${at}.status must be one of ${SAMPLE_STATUSES.join(', ')}, got ${show(s.status)}`;
  if (s.trained_in_update !== undefined && !isCount(s.trained_in_update)) return `${at}.trained_in_update must be a version`;
  return null;
}

const PLACEHOLDER_NEXT_STATE: NextState = { role: 'user', content: '' };

/** The manifest, or null with the problems that make it unusable (a foreign file stops at its first). */
function readManifest(text: string, problems: string[]): ExportManifest | null {
  const at = 'manifest.json';
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    problems.push(`${at}: not JSON`);
    return null;
  }
  if (!isObject(m) || m.format !== EXPORT_FORMAT) {
    problems.push(`${at}: not a NextState export (format is ${show(isObject(m) ? m.format : m)}, expected "${EXPORT_FORMAT}")`);
    return null;
  }
  const found: string[] = [];
  if (m.format_version !== EXPORT_FORMAT_VERSION) found.push(`${at}: format_version ${show(m.format_version)} is not supported (this build reads ${EXPORT_FORMAT_VERSION})`);
  if (m.record_schema !== RECORD_SCHEMA_NAME) found.push(`${at}: record_schema ${show(m.record_schema)} is foreign`);
  if (!isCount(m.record_schema_version, 1) || (m.record_schema_version as number) > RECORD_SCHEMA_VERSION) {
    found.push(`${at}: record_schema_version ${show(m.record_schema_version)} is not supported (this build reads 1..${RECORD_SCHEMA_VERSION})`);
  }
  if (!isCount(m.store_schema_version) || (m.store_schema_version as number) > STORE_SCHEMA_VERSION) {
    found.push(`${at}: store_schema_version ${show(m.store_schema_version)} is newer than this build (${STORE_SCHEMA_VERSION})`);
  }
  const lists: [string, (v: unknown, at: string) => string | null][] = [
    ['sessions', sessionProblem],
    ['turn_state', turnStateProblem],
    ['open_turns', (t, p) => (isObject(t) && !('next_state' in t) ? validateRecord('turn', { ...t, next_state: PLACEHOLDER_NEXT_STATE }) : `${p} must be a turn without next_state`)],
    ['sample_state', sampleStateProblem],
  ];
  for (const [field, problemOf] of lists) {
    const list = m[field];
    if (!Array.isArray(list)) {
      found.push(`${at}: ${field} must be an array`);
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      const problem = problemOf(list[i], `${field}[${i}]`);
      if (problem) found.push(`${at}: ${field}[${i}]: ${problem}`);
    }
  }
  const counts = m.counts;
  if (!isObject(counts) || !['sessions', 'turns', 'judges', 'samples'].every((k) => isCount(counts[k]))) {
    found.push(`${at}: counts must give sessions, turns, judges and samples`);
  }
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
    const key = JSON.stringify([j.session_id, j.turn, 'accepted' in j]);
    if (!turnKeys.has(turnKey(j.session_id, j.turn))) note(`judge.jsonl record ${i + 1}: turn ${j.turn} of session "${j.session_id}" is not in the export`);
    if (judged.has(key)) note(`judge.jsonl record ${i + 1}: a second ${'accepted' in j ? 'directive' : 'evaluative'} record for turn ${j.turn} of "${j.session_id}"`);
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
export function parseExport(files: Partial<Record<string, string>>): ImportPlan {
  const missing = EXPORT_FILE_NAMES.filter((name) => typeof files[name] !== 'string');
  if (missing.length > 0) throw new ImportRefusedError([`missing file(s): ${missing.join(', ')}`]);
  const problems: string[] = [];
  const manifest = readManifest(files['manifest.json']!, problems);
  if (!manifest) throw new ImportRefusedError(problems);
  const turns = readJsonl('turns.jsonl', files['turns.jsonl']!, () => 'turn', problems).map((r) => r.value as unknown as TurnRecord);
  const judges = readJsonl('judge.jsonl', files['judge.jsonl']!, (v) => ('accepted' in v ? 'directive' : 'evaluative'), problems)
    .map((r) => r.value as unknown as JudgeRecord);
  const samples = readJsonl('samples.jsonl', files['samples.jsonl']!, () => 'sample', problems).map((r) => r.value as unknown as SampleRecord);
  if (problems.length > 0) throw new ImportRefusedError(problems);
  const mismatches = crossCheck(manifest, turns, judges, samples);
  if (mismatches.length > 0) throw new ImportRefusedError(mismatches);

  const stateOf = new Map(manifest.turn_state.map((s): [string, TurnState] => [turnKey(s.session_id, s.turn), s]));
  const stored = (t: Omit<TurnRecord, 'next_state'>, nextState: NextState | null): StoredTurn => {
    const { session_id: _s, turn: _t, ...loop } = stateOf.get(turnKey(t.session_id, t.turn))!;
    return { ...t, next_state: nextState, ...loop };
  };
  return {
    sessions: manifest.sessions,
    turns: [...turns.map((t) => stored(t, t.next_state)), ...manifest.open_turns.map((t) => stored(t, null))],
    judges,
    samples: samples.map((s, i) => {
      const { session_id: _s, turn: _t, ...state } = manifest.sample_state[i] as SampleState;
      return { ...s, ...state };
    }),
  };
}
