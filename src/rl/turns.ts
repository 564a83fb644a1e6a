/**
 * Sessions, turns and next states (METHOD §1), as pure functions over a session's message log.
 * Numbering choice: main turns are numbered 1, 2, 3, … in order; side turns get no number (they never
 * train and are never recorded), so "main turn t + 1" is simply the next number.
 */
import type { Message } from '../model/chat.ts';
import type { NextState } from './judge/types.ts';

/** `main`: a real step of the task; `side`: housekeeping (title, summary, judge call) (METHOD §1). */
export type TurnType = 'main' | 'side';

/** A tool call made in an assistant reply (the `tool_calls` of METHOD §8). */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the policy wrote them (JSON text). */
  arguments: string;
}

/** One message of a session's log, in arrival order. Assistant messages are turns; untagged ones are side. */
export interface LoggedMessage extends Message {
  turnType?: TurnType;
  toolCalls?: ToolCall[];
  /** Unix time in milliseconds. */
  timestamp?: number;
}

/**
 * `paired`: its next state is final (main turn t + 1 has begun, or the session ended after a user/tool
 * message); `pending`: the session is open and turn t + 1 has not begun, `nextState` is the latest so far;
 * `ended`: the session ended with no next state, so the turn does not train.
 */
export type NextStateStatus = 'paired' | 'pending' | 'ended';

export interface MainTurn {
  /** 1-based among the session's main turns. */
  turn: number;
  /** Index of the reply in the log. */
  index: number;
  /** What the policy answered: every earlier message of the log except side-turn replies. */
  messages: Message[];
  reply: LoggedMessage;
  nextState: NextState | null;
  status: NextStateStatus;
}

/** Whether a logged message is a main turn. */
export function isMainTurn(message: LoggedMessage): boolean {
  return message.role === 'assistant' && message.turnType === 'main';
}

/**
 * `pairNextStates(log, sessionDone)`: every main turn of one session with its next state (METHOD §1):
 * the last `user` or `tool` message after it and before the next main turn.
 */
export function pairNextStates(log: readonly LoggedMessage[], sessionDone: boolean): MainTurn[] {
  const turns: MainTurn[] = [];
  const context: Message[] = [];
  let open: MainTurn | null = null;
  for (let index = 0; index < log.length; index++) {
    const message = log[index];
    if (isMainTurn(message)) {
      if (open) open.status = open.nextState ? 'paired' : 'ended';
      open = { turn: turns.length + 1, index, messages: context.slice(), reply: message, nextState: null, status: 'pending' };
      turns.push(open);
    } else if (open && (message.role === 'user' || message.role === 'tool')) {
      open.nextState = { role: message.role, content: message.content };
    }
    if (message.role !== 'assistant' || isMainTurn(message)) context.push({ role: message.role, content: message.content });
  }
  if (open && sessionDone) open.status = open.nextState ? 'paired' : 'ended';
  return turns;
}

/** The main turns whose next state is final: the ones that may train. */
export function trainableTurns(log: readonly LoggedMessage[], sessionDone: boolean): MainTurn[] {
  return pairNextStates(log, sessionDone).filter((t) => t.status === 'paired');
}
