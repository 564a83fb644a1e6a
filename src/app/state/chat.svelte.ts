/**
 * Sending a message (METHOD §1): the loop records it as the next state of the previous main turn, then
 * the policy's reply streams in token by token; the reply is stored as the next main turn.
 */
import { need, type RuntimeRef } from './runtime.ts';
import type { SessionsState } from './sessions.svelte.ts';
import type { TurnsState } from './turns.svelte.ts';

export class ChatState {
  sending = $state(false);
  /** The message being answered, shown before the store has it. */
  pendingUser = $state<string | null>(null);
  /** The reply so far, while it streams. */
  streamed = $state('');
  problem = $state<string | null>(null);

  constructor(
    private readonly runtime: RuntimeRef,
    private readonly sessions: SessionsState,
    private readonly turns: TurnsState,
  ) {}

  async send(text: string): Promise<boolean> {
    const message = text.trim();
    if (!message || this.sending) return false;
    const { loop } = need(this.runtime);
    this.sending = true;
    this.problem = null;
    this.pendingUser = message;
    this.streamed = '';
    try {
      const sessionId = this.sessions.currentId ?? (await this.sessions.create());
      const turn = await loop.send(sessionId, message, (piece) => {
        this.streamed += piece;
      });
      await this.turns.load(need(this.runtime).store, turn.session_id);
      await this.sessions.refresh();
      return true;
    } catch (e) {
      this.problem = `The reply failed: ${(e as Error).message}`;
      return false;
    } finally {
      this.pendingUser = null;
      this.streamed = '';
      this.sending = false;
    }
  }
}
