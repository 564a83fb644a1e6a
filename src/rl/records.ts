/**
 * The one record schema (METHOD §8), versioned by `RECORD_SCHEMA_VERSION`. Turn and judge records use the
 * reference framework's field names exactly; a training sample carries what one optimizer step needs.
 */
import type { Message } from '../model/chat.ts';
import type { DirectiveVote, NextState } from './judge/types.ts';
import type { ToolCall } from './turns.ts';

export const RECORD_SCHEMA_VERSION = 1;
/** The `schema` value of a JSONL header line. */
export const RECORD_SCHEMA_NAME = 'nextstate.records';

export type RecordKind = 'turn' | 'evaluative' | 'directive' | 'sample';
export const RECORD_KINDS: readonly RecordKind[] = ['turn', 'evaluative', 'directive', 'sample'];

/** One main turn with its next state (METHOD §8). `timestamp`: Unix time in milliseconds. */
export interface TurnRecord {
  session_id: string;
  turn: number;
  timestamp: number;
  messages: Message[];
  prompt_text: string;
  response_text: string;
  tool_calls: ToolCall[];
  next_state: NextState;
}

/** The evaluative judge's verdict on one turn (METHOD §2, §8); a failed vote is `null`. */
export interface EvaluativeRecord {
  session_id: string;
  turn: number;
  score: -1 | 0 | 1;
  votes: (-1 | 0 | 1 | null)[];
}

/** The directive judge's verdict on one turn (METHOD §3, §8): the hint candidates, shortest first. */
export interface DirectiveRecord {
  session_id: string;
  turn: number;
  accepted: boolean;
  hints: string[];
  votes: DirectiveVote[];
}

/** Which terms a sample trains (METHOD §6): both, OPD only (r = 0), GRPO only (no hint). */
export type SampleCase = 'combined' | 'opd' | 'grpo';

/**
 * One training sample (METHOD §6, §8). Per response position t: `support_ids[t]` is S_t (empty without a
 * hint, or where the `overlap` support is empty), with the sampling policy's and the teacher's global
 * log-probs there. All log-probs are finite numbers on logits / sampling temperature.
 */
export interface SampleRecord {
  session_id: string;
  turn: number;
  /** Version of the policy that sampled the reply (METHOD §7). */
  policy_version: number;
  case: SampleCase;
  prompt_ids: number[];
  response_ids: number[];
  /** Sampling policy's log-prob of each response token. */
  response_logprobs: number[];
  /** 1 where the position trains. */
  loss_mask: number[];
  /**
   * `score`: the evaluative score, which picks the sample's case (METHOD §6). `step`, environments only: the
   * step reward `outcome + mean(valid votes)` (METHOD §2), the r of the GRPO term in place of `score`.
   */
  reward: { score: -1 | 0 | 1; step?: number };
  /** The hint candidates of the turn (shortest first); empty in the `grpo` case. */
  hints: string[];
  /** The selected hint (in `token` mode the one selected most often; ties to the shorter); null without a hint. */
  hint: string | null;
  /** Per position, the index into `hints` that was selected there; -1 without a hint. */
  hint_index: number[];
  support_ids: number[][];
  old_logprobs_at_support: number[][];
  teacher_logprobs_at_support: number[][];
}

export interface RecordOfKind {
  turn: TurnRecord;
  evaluative: EvaluativeRecord;
  directive: DirectiveRecord;
  sample: SampleRecord;
}

/** The fields of each kind, in export order; a line's exact key set tells its kind. */
export const RECORD_FIELDS: { readonly [K in RecordKind]: readonly (keyof RecordOfKind[K])[] } = {
  turn: ['session_id', 'turn', 'timestamp', 'messages', 'prompt_text', 'response_text', 'tool_calls', 'next_state'],
  evaluative: ['session_id', 'turn', 'score', 'votes'],
  directive: ['session_id', 'turn', 'accepted', 'hints', 'votes'],
  sample: [
    'session_id', 'turn', 'policy_version', 'case', 'prompt_ids', 'response_ids', 'response_logprobs', 'loss_mask',
    'reward', 'hints', 'hint', 'hint_index', 'support_ids', 'old_logprobs_at_support', 'teacher_logprobs_at_support',
  ],
};

/** The first line of an exported file: which schema, version and record kind follow. */
export interface JsonlHeader {
  schema: typeof RECORD_SCHEMA_NAME;
  version: number;
  kind: RecordKind;
}

/**
 * `recordsToJsonl(kind, records, { header })`: one JSON object per line, fields in schema order.
 * With `header` (default) the first line is a `JsonlHeader`; leave it out for the reference framework,
 * whose readers expect record lines only.
 */
export function recordsToJsonl<K extends RecordKind>(kind: K, records: readonly RecordOfKind[K][], options: { header?: boolean } = {}): string {
  const lines: string[] = [];
  if (options.header ?? true) lines.push(JSON.stringify({ schema: RECORD_SCHEMA_NAME, version: RECORD_SCHEMA_VERSION, kind }));
  const fields = RECORD_FIELDS[kind] as readonly string[];
  for (const record of records) {
    const source = record as unknown as Record<string, unknown>;
    lines.push(JSON.stringify(Object.fromEntries(fields.map((f) => [f, source[f]]))));
  }
  return lines.map((line) => line + '\n').join('');
}
