/**
 * Export files (issue 6 "Sessions"): `turns.jsonl`, `judge.jsonl`, `samples.jsonl` hold METHOD §8 records
 * in the reference framework's field names (no header line, so its readers take them as they are);
 * `manifest.json` holds what those lines cannot: the sessions, each turn's loop fields, turns still waiting
 * for a next state, and each sample's id and status. Every object is rebuilt field by field from the schema,
 * so nothing else (no secret-named field in particular) can leave.
 */
import type { DirectiveVote } from '../rl/judge/types.ts';
import { RECORD_SCHEMA_NAME, RECORD_SCHEMA_VERSION, recordsToJsonl, type DirectiveRecord, type EvaluativeRecord,
  type SampleRecord, type TurnRecord } from '../rl/records.ts';
import { STORE_SCHEMA_VERSION } from './migrations.ts';
import { secretFieldPaths } from './secrets.ts';
import type { JudgeRecord, SampleStatus, SessionExport, SessionInfo, StoredSample, StoredTurn, TurnStatus } from './types.ts';

export const EXPORT_FORMAT = 'nextstate-export';
/** v2 (issue 18): samples may be `failed` (with `error`) or `foreign`; v1 exports still import. */
export const EXPORT_FORMAT_VERSION = 2;

/** The loop's fields of one turn, beside its record line. */
export interface TurnState {
  session_id: string;
  turn: number;
  policy_version: number;
  prompt_ids: number[];
  response_ids: number[];
  response_logprobs: number[];
  status: TurnStatus;
  trained_in_update?: number;
  error?: string;
}

/** The store's fields of the sample on the same line of `samples.jsonl`. */
export interface SampleState {
  session_id: string;
  turn: number;
  id: string;
  status: SampleStatus;
  trained_in_update?: number;
  error?: string;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  format_version: number;
  record_schema: typeof RECORD_SCHEMA_NAME;
  record_schema_version: number;
  store_schema_version: number;
  exported_at: number;
  sessions: SessionInfo[];
  turn_state: TurnState[];
  /** Turns with no next state yet: a METHOD §8 line needs one, so these travel here. */
  open_turns: Omit<TurnRecord, 'next_state'>[];
  /** Line i of samples.jsonl ↔ sample_state[i]. */
  sample_state: SampleState[];
  counts: { sessions: number; turns: number; judges: number; samples: number };
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value });

function sessionInfo(s: SessionInfo): SessionInfo {
  return { id: s.id, title: s.title, createdAt: s.createdAt, updatedAt: s.updatedAt, kind: s.kind };
}

function openTurn(t: StoredTurn): Omit<TurnRecord, 'next_state'> {
  return {
    session_id: t.session_id,
    turn: t.turn,
    timestamp: t.timestamp,
    messages: t.messages.map((m) => ({ role: m.role, content: m.content })),
    prompt_text: t.prompt_text,
    response_text: t.response_text,
    tool_calls: t.tool_calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
  };
}

function turnLine(t: StoredTurn & { next_state: NonNullable<StoredTurn['next_state']> }): TurnRecord {
  return { ...openTurn(t), next_state: { role: t.next_state.role, content: t.next_state.content } };
}

function turnState(t: StoredTurn): TurnState {
  return {
    session_id: t.session_id, turn: t.turn, policy_version: t.policy_version, prompt_ids: [...t.prompt_ids],
    response_ids: [...t.response_ids], response_logprobs: [...t.response_logprobs], status: t.status,
    ...optional('trained_in_update', t.trained_in_update), ...optional('error', t.error),
  };
}

function judgeLine(r: JudgeRecord): string {
  if ('accepted' in r) {
    const votes = r.votes.map((v: DirectiveVote) => ({ score: v.score, hint: v.hint }));
    const line: DirectiveRecord = { session_id: r.session_id, turn: r.turn, accepted: r.accepted, hints: [...r.hints], votes };
    return recordsToJsonl('directive', [line], { header: false });
  }
  const line: EvaluativeRecord = { session_id: r.session_id, turn: r.turn, score: r.score, votes: [...r.votes] };
  return recordsToJsonl('evaluative', [line], { header: false });
}

function sampleLine(s: StoredSample): SampleRecord {
  return {
    session_id: s.session_id, turn: s.turn, policy_version: s.policy_version, case: s.case, prompt_ids: s.prompt_ids,
    response_ids: s.response_ids, response_logprobs: s.response_logprobs, loss_mask: s.loss_mask,
    reward: { score: s.reward.score }, hints: s.hints, hint: s.hint, hint_index: s.hint_index, support_ids: s.support_ids,
    old_logprobs_at_support: s.old_logprobs_at_support, teacher_logprobs_at_support: s.teacher_logprobs_at_support,
  };
}

/** The export files of these sessions and their records (already filtered to them). */
export function buildExport(records: {
  sessions: SessionInfo[];
  turns: StoredTurn[];
  judges: JudgeRecord[];
  samples: StoredSample[];
}, exportedAt = Date.now()): SessionExport {
  const answered = records.turns.filter((t): t is StoredTurn & { next_state: NonNullable<StoredTurn['next_state']> } => t.next_state !== null);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    format_version: EXPORT_FORMAT_VERSION,
    record_schema: RECORD_SCHEMA_NAME,
    record_schema_version: RECORD_SCHEMA_VERSION,
    store_schema_version: STORE_SCHEMA_VERSION,
    exported_at: exportedAt,
    sessions: records.sessions.map(sessionInfo),
    turn_state: records.turns.map(turnState),
    open_turns: records.turns.filter((t) => t.next_state === null).map(openTurn),
    sample_state: records.samples.map((s) => ({
      session_id: s.session_id, turn: s.turn, id: s.id, status: s.status, ...optional('trained_in_update', s.trained_in_update),
      ...optional('error', s.error),
    })),
    counts: { sessions: records.sessions.length, turns: records.turns.length, judges: records.judges.length, samples: records.samples.length },
  };
  const files = {
    'turns.jsonl': recordsToJsonl('turn', answered.map(turnLine), { header: false }),
    'judge.jsonl': records.judges.map(judgeLine).join(''),
    'samples.jsonl': recordsToJsonl('sample', records.samples.map(sampleLine), { header: false }),
    'manifest.json': JSON.stringify(manifest) + '\n',
  };
  // Belt and braces: the builders above copy schema fields only, so this can only fail after a schema change.
  const lines = [files['turns.jsonl'], files['judge.jsonl'], files['samples.jsonl']].flatMap((text) => text.split('\n').filter(Boolean));
  const leaked = secretFieldPaths([manifest, ...lines.map((line) => JSON.parse(line) as unknown)]);
  if (leaked.length > 0) throw new Error(`export would write secret-named fields: ${leaked.join(', ')}`);
  return { files };
}
