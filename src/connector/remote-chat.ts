/**
 * The page's conversation with a remote policy server (issue 16). A visitor's message is first written to
 * the store's outgoing queue (IndexedDB), then sent, oldest first, one at a time; a server that is syncing
 * weights (503) or rate limiting (429) is asked again after a backoff with jitter while the message waits;
 * the answer and the message's removal from the queue are one transaction, so a message is answered once
 * and never lost. Any other failure stops the queue with its message shown; `drain()` tries again.
 */
import type { NextState } from '../rl/judge/types.ts';
import type { OutgoingMessage, RecordStore, StoredTurn } from '../store/types.ts';
import { sessionLog } from '../workers/session-log.ts';
import { remoteReply, RemotePolicyError, type RemotePolicy, type RemoteReply } from './remote-policy.ts';
import type { FetchLike } from './judge-fetch.ts';

export interface RemoteChatEvents {
  /** The message is in the store's queue. */
  queued?(message: OutgoingMessage): void;
  /** The message waits: the server said it cannot take it now; the next try is in `retryInMs`. */
  waiting?(message: OutgoingMessage, reason: string, retryInMs: number): void;
  sending?(message: OutgoingMessage): void;
  piece?(message: OutgoingMessage, piece: string): void;
  answered?(message: OutgoingMessage, turn: StoredTurn): void;
  /** The queue stopped at this message (kept in the store) for this reason. */
  stopped?(message: OutgoingMessage, error: RemotePolicyError): void;
}

export interface RemoteChatOptions {
  /** Delay before retry n: equal jitter on base·2^n, at least the server's Retry-After, at most max. */
  backoff?: { baseDelayMs: number; maxDelayMs: number; random?: () => number };
  maxTokens?: number;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** Why a remote turn is not judged or trained here. */
export const REMOTE_TURN_NOTE = 'answered by the remote policy server, which judges and trains it';

export function retryDelayMs(backoff: NonNullable<RemoteChatOptions['backoff']>, attempt: number, askedMs: number | null): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** attempt);
  const jittered = ceiling / 2 + (ceiling / 2) * (backoff.random ?? Math.random)();
  return Math.min(backoff.maxDelayMs, Math.max(jittered, askedMs ?? 0));
}

export class RemoteChat {
  private draining: Promise<void> | null = null;
  private readonly backoff: NonNullable<RemoteChatOptions['backoff']>;

  constructor(
    private readonly store: RecordStore,
    private readonly policy: () => RemotePolicy,
    private readonly events: RemoteChatEvents = {},
    private readonly options: RemoteChatOptions = {},
  ) {
    this.backoff = options.backoff ?? { baseDelayMs: 500, maxDelayMs: 15_000 };
  }

  /** Writes the message to the queue (resolves once it is stored), then sends the queue in order. */
  async enqueue(sessionId: string, content: string): Promise<OutgoingMessage> {
    const message: OutgoingMessage = { id: crypto.randomUUID(), session_id: sessionId, content, queued_at: Date.now() };
    await this.store.queueOutgoing(message);
    this.events.queued?.(message);
    void this.drain();
    return message;
  }

  /** Sends every queued message, oldest first; resolves when the queue is empty or stopped. */
  drain(): Promise<void> {
    this.draining ??= this.sendQueued().finally(() => (this.draining = null));
    return this.draining;
  }

  /** Tells the server a session ended (`X-Session-Done`, as a side turn that trains nothing); best effort. */
  async endSession(sessionId: string): Promise<void> {
    const turns = await this.store.listTurns(sessionId);
    if (turns.length === 0) return;
    const messages = sessionLog(turns).map(({ role, content }) => ({ role, content }));
    await remoteReply(this.policy(), { sessionId, turnType: 'side', sessionDone: true, messages, maxTokens: 1 }, { timeoutMs: this.options.timeoutMs, fetch: this.options.fetch }).catch(() => undefined);
  }

  private async sendQueued(): Promise<void> {
    for (;;) {
      const [message] = await this.store.listOutgoing();
      if (!message) return;
      const reply = await this.sendOne(message);
      if (!reply) return;
    }
  }

  /** One message until the server answers it (retrying 503 and 429), or null when the queue must stop. */
  private async sendOne(message: OutgoingMessage): Promise<StoredTurn | null> {
    const turns = (await this.store.listTurns(message.session_id)).sort((a, b) => a.turn - b.turn);
    const messages = [...sessionLog(turns).map(({ role, content }) => ({ role, content })), { role: 'user' as const, content: message.content }];
    for (let attempt = 0; ; attempt++) {
      let reply: RemoteReply;
      try {
        this.events.sending?.(message);
        reply = await remoteReply(
          this.policy(),
          { sessionId: message.session_id, turnType: 'main', messages, maxTokens: this.options.maxTokens },
          { onPiece: (piece) => this.events.piece?.(message, piece), timeoutMs: this.options.timeoutMs, fetch: this.options.fetch },
        );
      } catch (e) {
        const error = e instanceof RemotePolicyError ? e : new RemotePolicyError(String(e), false);
        if (!error.retryable) {
          this.events.stopped?.(message, error);
          return null;
        }
        const delay = retryDelayMs(this.backoff, attempt, error.retryAfterMs);
        this.events.waiting?.(message, error.message, delay);
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      const turn = remoteTurn(message, turns, messages, reply);
      await this.store.recordRemoteReply(message, turn);
      this.events.answered?.(message, turn);
      return turn;
    }
  }
}

/** The stored form of a remote reply: a main turn whose signals and training happen on the server. */
function remoteTurn(message: OutgoingMessage, turns: StoredTurn[], messages: { role: NextState['role'] | 'system' | 'assistant'; content: string }[], reply: RemoteReply): StoredTurn {
  return {
    session_id: message.session_id,
    turn: (turns.at(-1)?.turn ?? 0) + 1,
    timestamp: Date.now(),
    messages,
    prompt_text: '',
    response_text: reply.text,
    tool_calls: [],
    next_state: null,
    policy_version: reply.policyVersion ?? 0,
    prompt_ids: [],
    response_ids: [],
    response_logprobs: reply.tokens?.map((t) => t.logprob) ?? [],
    ...(reply.tokens ? { response_tokens: reply.tokens.map((t) => t.token) } : {}),
    status: 'no_sample',
    error: REMOTE_TURN_NOTE,
  };
}
