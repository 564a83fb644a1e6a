/**
 * The visitor's sessions (METHOD §1: one conversation each): the list, the open one and its log (derived
 * from its stored turns), rename and delete. Sending lives in chat.svelte.ts.
 */
import type { SessionInfo } from '../../store/types.ts';
import { sessionLog, type LogMessage } from '../../workers/session-log.ts';
import { need, type RuntimeRef } from './runtime.ts';
import type { TurnsState } from './turns.svelte.ts';

export class SessionsState {
  list = $state.raw<SessionInfo[]>([]);
  problem = $state<string | null>(null);

  currentId: string | null;
  current: SessionInfo | undefined;
  /** The open session's messages, rebuilt from its turns (nothing is stored twice). */
  messages: LogMessage[];

  constructor(private readonly runtime: RuntimeRef, private readonly turns: TurnsState) {
    this.currentId = $derived(turns.sessionId);
    this.current = $derived(this.list.find((s) => s.id === this.currentId));
    this.messages = $derived(sessionLog(turns.ordered.map((t) => t.stored)));
  }

  async refresh(): Promise<void> {
    this.list = await need(this.runtime).store.listSessions();
  }

  /** Opens the most recent session, or starts one when there is none. */
  async openLatest(): Promise<void> {
    await this.refresh();
    if (this.list.length > 0) await this.open(this.list[0].id);
    else await this.create();
  }

  async open(id: string): Promise<void> {
    const { store } = need(this.runtime);
    if (!(await store.getSession(id))) {
      this.problem = 'That session no longer exists.';
      await this.refresh();
      return;
    }
    this.problem = null;
    await this.turns.load(store, id);
  }

  async create(): Promise<string> {
    const session = await need(this.runtime).loop.newSession();
    this.turns.clear(session.id);
    await this.refresh();
    return session.id;
  }

  async rename(id: string, title: string): Promise<boolean> {
    const clean = title.trim();
    if (!clean) {
      this.problem = 'A session needs a title.';
      return false;
    }
    this.problem = null;
    await need(this.runtime).store.renameSession(id, clean);
    await this.refresh();
    return true;
  }

  async remove(id: string): Promise<void> {
    await need(this.runtime).store.deleteSession(id);
    if (this.currentId === id) this.turns.clear();
    await this.refresh();
  }
}
