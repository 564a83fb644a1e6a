/**
 * The chat's side of a remote policy (issue 16): the messages written to the outgoing queue and not yet
 * answered, shown as waiting for the server with why; the reply streaming in; and a way to try again after
 * a failure the queue stopped at. The queue itself lives in the store (connector/remote-chat.ts).
 */
import { RemoteChat } from '../../connector/remote-chat.ts';
import type { RemotePolicy } from '../../connector/remote-policy.ts';
import type { OutgoingMessage, RecordStore } from '../../store/types.ts';

export interface OutgoingView {
  message: OutgoingMessage;
  state: 'queued' | 'sending' | 'waiting' | 'stopped';
  /** Why it waits or stopped, for the visitor. */
  note: string | null;
}

export class RemoteChatState {
  outgoing = $state<OutgoingView[]>([]);
  /** The reply so far to the message being sent. */
  streamed = $state('');
  private chat: RemoteChat | null = null;

  /** `answered` runs after each reply is stored (the page reloads the session's turns). */
  connect(store: RecordStore, policy: () => RemotePolicy, answered: (sessionId: string) => Promise<void>): void {
    const update = (id: string, change: Partial<OutgoingView>) => (this.outgoing = this.outgoing.map((o) => (o.message.id === id ? { ...o, ...change } : o)));
    this.chat = new RemoteChat(store, policy, {
      queued: (message) => (this.outgoing = [...this.outgoing, { message, state: 'queued', note: null }]),
      sending: (m) => ((this.streamed = ''), update(m.id, { state: 'sending' })),
      piece: (_m, piece) => (this.streamed += piece),
      waiting: (m, reason, retryInMs) => update(m.id, { state: 'waiting', note: `waiting for the server: ${reason}; next try in ${Math.ceil(retryInMs / 1000)} s` }),
      stopped: (m, error) => update(m.id, { state: 'stopped', note: `not sent: ${error.message}` }),
      answered: (m) => {
        this.outgoing = this.outgoing.filter((o) => o.message.id !== m.id);
        this.streamed = '';
        void answered(m.session_id);
      },
    });
    void store.listOutgoing().then((queued) => {
      this.outgoing = queued.map((message) => ({ message, state: 'queued', note: null }));
      if (queued.length > 0) void this.chat?.drain();
    });
  }

  /** Written to the store first; resolves once it is, and the queue sends it in turn. */
  async send(sessionId: string, text: string): Promise<void> {
    await this.need().enqueue(sessionId, text);
  }

  /** Tries the queue again from the message it stopped at. */
  retry(): void {
    this.outgoing = this.outgoing.map((o) => (o.state === 'stopped' ? { ...o, state: 'queued', note: null } : o));
    void this.need().drain();
  }

  endSession(sessionId: string): Promise<void> {
    return this.need().endSession(sessionId);
  }

  private need(): RemoteChat {
    if (!this.chat) throw new Error('the remote policy is not connected yet');
    return this.chat;
  }
}
