/**
 * Validates a `POST /v1/judge` body into a judge turn (METHOD §1–3), answering 400 with the path of the
 * first thing that is wrong. Fields are read as own properties only; an optional field is either left
 * out or valid: `null` is a 400 like any other wrong type, for every field alike.
 */
import type { Message, Role } from '../src/model/chat.ts';
import type { JudgeKind, JudgeSignal, JudgeTurn } from '../src/rl/judge/types.ts';
import { HttpError } from './http-error.ts';

const ROLES: readonly Role[] = ['system', 'user', 'assistant', 'tool'];
const KINDS: readonly JudgeKind[] = ['personal', 'terminal', 'tool-call', 'gui', 'swe'];
const SIGNALS: readonly JudgeSignal[] = ['evaluative', 'directive'];
const MAX_MESSAGES = 512;

export interface ParsedJudgeBody {
  turn: JudgeTurn;
  signals: JudgeSignal[];
  m: number;
  sessionId?: string;
  turnNumber?: number;
}

function bad(message: string): HttpError {
  return new HttpError(400, 'bad_request', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's own field; a name found only on the prototype (`toString`, `__proto__`) is absent. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function messages(value: unknown, path: string): Message[] {
  if (!Array.isArray(value)) throw bad(`\`${path}\` must be an array of {role, content}`);
  if (value.length > MAX_MESSAGES) throw bad(`\`${path}\` has ${value.length} messages; at most ${MAX_MESSAGES}`);
  return value.map((m, i) => {
    if (!isObject(m)) throw bad(`\`${path}[${i}]\` must be an object {role, content}`);
    const role = own(m, 'role');
    const content = own(m, 'content');
    if (!ROLES.includes(role as Role)) throw bad(`\`${path}[${i}].role\` must be one of ${ROLES.join(', ')}`);
    if (typeof content !== 'string') throw bad(`\`${path}[${i}].content\` must be a string`);
    return { role: role as Role, content };
  });
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = own(body, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`\`${key}\` must be a string when given (leave it out otherwise)`);
  return value;
}

export function parseJudgeBody(body: unknown, limits: { defaultM: number; maxM: number }): ParsedJudgeBody {
  if (!isObject(body)) throw bad('body must be a JSON object');
  const turnMessages = messages(own(body, 'messages'), 'messages');
  const reply = own(body, 'reply');
  if (typeof reply !== 'string') throw bad('`reply` must be a string (the assistant reply under judgement)');
  const next = own(body, 'next_state');
  if (!isObject(next)) throw bad('`next_state` must be an object {role, content}');
  const nextRole = own(next, 'role');
  const nextContent = own(next, 'content');
  if (nextRole !== 'user' && nextRole !== 'tool') throw bad("`next_state.role` must be 'user' or 'tool'");
  if (typeof nextContent !== 'string') throw bad('`next_state.content` must be a string');
  const kind = own(body, 'kind');
  if (!KINDS.includes(kind as JudgeKind)) throw bad(`\`kind\` must be one of ${KINDS.join(', ')}`);
  const givenSignals = own(body, 'signals');
  const signals = givenSignals === undefined ? SIGNALS : givenSignals;
  if (!Array.isArray(signals) || signals.length === 0 || signals.some((s) => !SIGNALS.includes(s as JudgeSignal))) {
    throw bad("`signals` must be a non-empty array of 'evaluative' and/or 'directive' when given (leave it out for both)");
  }
  const givenM = own(body, 'm');
  const m = givenM === undefined ? limits.defaultM : givenM;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > limits.maxM) {
    throw bad(`\`m\` must be an integer from 1 to ${limits.maxM} when given (leave it out for ${limits.defaultM})`);
  }
  const turnNumber = own(body, 'turn');
  if (turnNumber !== undefined && (typeof turnNumber !== 'number' || !Number.isInteger(turnNumber) || turnNumber < 1)) {
    throw bad('`turn` must be a positive integer when given');
  }
  const turn: JudgeTurn = {
    kind: kind as JudgeKind,
    messages: turnMessages,
    reply,
    nextState: { role: nextRole, content: nextContent },
  };
  const task = optionalString(body, 'task');
  if (task !== undefined) turn.task = task;
  const history = own(body, 'history');
  if (history !== undefined) turn.history = messages(history, 'history');
  return {
    turn,
    signals: [...new Set(signals as JudgeSignal[])],
    m,
    sessionId: optionalString(body, 'session_id'),
    turnNumber: turnNumber as number | undefined,
  };
}
