/**
 * The wire format of our judge server's `POST /v1/judge` (issue 7), shared by the server and the
 * browser's client. Field names are snake_case like the rest of METHOD §8's records.
 */
import type { Message } from '../model/chat.ts';
import type { DirectiveResult, EvaluativeResult, JudgeKind, JudgeSignal, JudgeTurn, NextState } from '../rl/judge/types.ts';

export const JUDGE_PATH = '/v1/judge';
export const HEALTH_PATH = '/healthz';

/** The body of `POST /v1/judge`. */
export interface JudgeWireRequest {
  messages: Message[];
  reply: string;
  next_state: NextState;
  kind: JudgeKind;
  signals: JudgeSignal[];
  /** Votes per signal; the server's default (3) when absent. */
  m?: number;
  task?: string;
  history?: Message[];
  /** Echoed back so the answer can be stored as a METHOD §8 judge record. */
  session_id?: string;
  turn?: number;
}

/** The answer: the METHOD §8 judge record fields per signal, plus the raw judge texts they came from. */
export interface JudgeWireResponse {
  session_id?: string;
  turn?: number;
  backend: string;
  m: number;
  evaluative?: EvaluativeResult;
  directive?: DirectiveResult;
  texts: { evaluative?: string[]; directive?: string[] };
}

/** Every error answer: `{error: {code, message}}`. */
export interface JudgeWireError {
  error: { code: string; message: string };
}

/** `GET /healthz`. */
export interface JudgeHealth {
  ok: boolean;
  backend: string;
  /** Whether `/v1/judge` wants a bearer token. */
  auth: boolean;
  default_m: number;
  max_m: number;
}

/** The wire body for one turn. */
export function judgeWireRequest(turn: JudgeTurn, signals: JudgeSignal[], m?: number): JudgeWireRequest {
  const body: JudgeWireRequest = {
    messages: turn.messages,
    reply: turn.reply,
    next_state: turn.nextState,
    kind: turn.kind,
    signals,
  };
  if (m !== undefined) body.m = m;
  if (turn.task !== undefined) body.task = turn.task;
  if (turn.history !== undefined) body.history = turn.history;
  return body;
}
