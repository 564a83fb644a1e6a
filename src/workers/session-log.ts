/**
 * A session's message log, derived from its stored main turns (nothing is stored twice): turn 1's context,
 * then per turn the user message that opened it (its context's last message) and the reply, then the last
 * turn's next state if one arrived.
 */
import type { Message } from '../model/chat.ts';
import type { StoredTurn } from '../store/types.ts';

export interface LogMessage extends Message {
  /** The main turn an assistant message belongs to. */
  turn?: number;
}

export function sessionLog(turns: readonly StoredTurn[]): LogMessage[] {
  const ordered = [...turns].sort((a, b) => a.turn - b.turn);
  const log: LogMessage[] = [];
  ordered.forEach((t, i) => {
    if (i === 0) log.push(...t.messages);
    else if (t.messages.length > 0) log.push(t.messages[t.messages.length - 1]);
    log.push({ role: 'assistant', content: t.response_text, turn: t.turn });
  });
  const last = ordered.at(-1);
  if (last?.next_state) log.push({ ...last.next_state });
  return log;
}
