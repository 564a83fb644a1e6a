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

  /** Samples not trained until the visitor asks: set aside after failed updates, and imported ones (issue 18). */
  held = $state({ failed: 0, foreign: 0 });

  async refresh(): Promise<void> {
    this.list = await need(this.runtime).store.listSessions();
  }

  async refreshHeld(): Promise<void> {
    const samples = await need(this.runtime).store.listSamples();
    this.held = { failed: samples.filter((s) => s.status === 'failed').length, foreign: samples.filter((s) => s.status === 'foreign').length };
  }

  /** Queues the samples set aside after failed updates again. */
  async retryFailed(): Promise<void> {
    await need(this.runtime).loop.retryFailed();
    await this.refreshHeld();
  }

  /** Queues the imported samples for training, as samples of the serving version (the visitor asked). */
  async trainImported(): Promise<void> {
    await need(this.runtime).loop.trainImported();
    await this.refreshHeld();
  }

  /**
   * Opens the most recent session that can be opened, or starts one: a session that fails to open is reported
   * (`problem`) and never blocks the page.
   */
  async openLatest(): Promise<void> {
    await Promise.all([this.refresh(), this.refreshHeld()]);
    const problems: string[] = [];
    for (const session of this.list) {
      if (await this.open(session.id)) break;
      problems.push(this.problem ?? '');
    }
    if (!this.turns.sessionId) await this.create();
    this.problem = problems.length > 0 ? problems.join(' ') : null;
  }

  /** True when the session is open; otherwise `problem` says why and the open session is unchanged. */
  async open(id: string): Promise<boolean> {
    const { store } = need(this.runtime);
    if (!(await store.getSession(id))) {
      this.problem = 'That session no longer exists.';
      await this.refresh();
      return false;
    }
    try {
      await this.turns.load(store, id);
    } catch (e) {
      this.problem = (e as Error).message;
      return false;
    }
    this.problem = null;
    return true;
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
