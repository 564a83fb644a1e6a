/**
 * Environment steps in the online loop (METHOD §2): a session of an environment is judged by its step judge,
 * which also sees the task (the episode's first user message) and the episode's outcome (the checker's ±1)
 * on the step that ended it; every other step adds 0. The outcome waits here until that step is judged.
 */
import type { Message } from '../model/chat.ts';
import type { SessionInfo } from '../store/types.ts';
import type { SignalRequest } from './protocol.ts';
import { turnKey } from './protocol.ts';

/** The judge of a session's turns: `personal` for chat (or a session not found), else the environment's kind. */
export function judgeKind(session: SessionInfo | undefined): SignalRequest['kind'] {
  return !session || session.kind === 'chat' ? 'personal' : session.kind;
}

export class EnvironmentSteps {
  /** Episode outcomes by turn key, for the step that ended the episode. */
  private readonly outcomes = new Map<string, number>();

  /** The episode of `sessionId` ended at `turn` with `outcome`. */
  ended(sessionId: string, turn: number, outcome: number): void {
    this.outcomes.set(turnKey(sessionId, turn), outcome);
  }

  /** What the step judge sees besides the turn: nothing for personal chat; the task and the outcome for an environment step. */
  judgeContext(kind: SignalRequest['kind'], sessionId: string, turn: number, messages: Message[]): Pick<SignalRequest, 'task' | 'outcome'> {
    if (kind === 'personal') return {};
    return { task: messages.find((m) => m.role === 'user')?.content, outcome: this.outcomes.get(turnKey(sessionId, turn)) ?? 0 };
  }

  /** The step was judged: its outcome is in its reward now. */
  judged(sessionId: string, turn: number): void {
    this.outcomes.delete(turnKey(sessionId, turn));
  }
}
