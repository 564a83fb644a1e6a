/**
 * Sending a message (METHOD §1): the loop records it as the next state of the previous main turn, then
 * the policy's reply streams in token by token; the reply is stored as the next main turn. With a remote
 * policy (issue 16) the message goes to the outgoing queue instead, and the server answers it in turn.
 */
import { need, type RuntimeRef } from './runtime.ts';
import type { SessionsState } from './sessions.svelte.ts';
import type { TurnsState } from './turns.svelte.ts';
import type { PolicyConfigState } from '../settings/policy-config.svelte.ts';
import type { RemoteChatState } from './remote-chat.svelte.ts';

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
    private readonly policy: PolicyConfigState,
    private readonly remote: RemoteChatState,
  ) {}

  /** A new session; with a remote policy the server is told the open one ended (`X-Session-Done`). */
  async newSession(): Promise<void> {
    const ended = this.sessions.currentId;
    if (this.policy.remote && ended) void this.remote.endSession(ended);
    await this.sessions.create();
  }

  async send(text: string): Promise<boolean> {
    const message = text.trim();
    if (!message || this.sending) return false;
    const { loop } = need(this.runtime);
    if (this.policy.remote) return this.sendRemote(message);
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

  /** Resolves once the message is written to the store's queue; the reply comes when the server answers. */
  private async sendRemote(message: string): Promise<boolean> {
    this.problem = null;
    try {
      const sessionId = this.sessions.currentId ?? (await this.sessions.create());
      await this.remote.send(sessionId, message);
      return true;
    } catch (e) {
      this.problem = `The message could not be kept: ${(e as Error).message}`;
      return false;
    }
  }
}
