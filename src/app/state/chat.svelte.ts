/**
 * Sending a message (METHOD §1): the loop records it as the next state of the previous main turn, then
 * the policy's reply streams in token by token; the reply is stored as the next main turn. With a remote
 * policy (issue 16) the message goes to the outgoing queue instead, and the server answers it in turn. In an
 * environment (settings `environment`), the page also runs the agent's actions: each tool call or command
 * gets its output as the next state of that turn and the agent goes on until it answers (environment-episode.ts).
 */
import type { EnvironmentChoice } from '../../rl/settings.ts';
import { createRng } from '../../model/rng.ts';
import { actUntilAnswer, endEpisode } from '../../workers/environment-episode.ts';
import { ENVIRONMENTS, type Environment, type EnvironmentTask, type Episode } from '../../world/environments/index.ts';
import { need, type RuntimeRef } from './runtime.ts';
import type { SessionsState } from './sessions.svelte.ts';
import type { TurnsState } from './turns.svelte.ts';
import type { PolicyConfigState } from '../settings/policy-config.svelte.ts';
import type { RemoteChatState } from './remote-chat.svelte.ts';

/** An episode the page is running: its sandbox lives as long as the tab (a reloaded episode goes on as chat). */
interface OpenEpisode {
  environment: Environment;
  task: EnvironmentTask;
  episode: Episode;
  /** A task from the task source: its answer is checked and the episode ends there. */
  checked: boolean;
}

/** The checker's verdict on an episode's final answer (its outcome, METHOD §2). */
export interface EpisodeOutcome {
  sessionId: string;
  task: string;
  success: boolean;
  /** The agent took too many actions in a row. */
  capped: boolean;
  expected: string;
}

export class ChatState {
  sending = $state(false);
  /** The message being answered, shown before the store has it. */
  pendingUser = $state<string | null>(null);
  /** The reply so far, while it streams. */
  streamed = $state('');
  /** A reply is streaming (also the agent's next step after a tool result, which has no user message). */
  replying = $state(false);
  problem = $state<string | null>(null);
  /** Outcomes of checked episodes, newest last. */
  outcomes = $state<EpisodeOutcome[]>([]);
  private readonly episodes = new Map<string, OpenEpisode>();
  private readonly taskRng = createRng((Date.now() ^ 0x5bd1e995) >>> 0);

  constructor(
    private readonly runtime: RuntimeRef,
    private readonly sessions: SessionsState,
    private readonly turns: TurnsState,
    private readonly policy: PolicyConfigState,
    private readonly remote: RemoteChatState,
    private readonly environment: () => EnvironmentChoice = () => 'chat',
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
    if (this.policy.remote) return this.sendRemote(message);
    const choice = this.environment();
    return this.run(message, async (onToken) => {
      if (choice === 'chat') {
        const { loop } = need(this.runtime);
        const sessionId = this.sessions.currentId ?? (await this.sessions.create());
        const turn = await loop.send(sessionId, message, onToken);
        await this.show(turn.session_id);
        return;
      }
      await this.act(message, ENVIRONMENTS[choice], null, onToken);
    });
  }

  /** Draws a task from the environment's task source and runs it as a checked episode. */
  async newTask(): Promise<boolean> {
    const choice = this.environment();
    if (choice === 'chat' || this.sending) return false;
    const task = ENVIRONMENTS[choice].sampleTask(this.taskRng);
    return this.run(task.prompt, (onToken) => this.act(task.prompt, ENVIRONMENTS[choice], task, onToken));
  }

  /** The outcome of the open session's episode, if it was checked. */
  outcomeOf(sessionId: string | null): EpisodeOutcome | undefined {
    return this.outcomes.find((o) => o.sessionId === sessionId);
  }

  private async run(message: string, work: (onToken: (piece: string) => void) => Promise<void>): Promise<boolean> {
    this.sending = true;
    this.replying = true;
    this.problem = null;
    this.pendingUser = message;
    this.streamed = '';
    try {
      await work((piece) => {
        this.replying = true;
        this.streamed += piece;
      });
      await this.sessions.refresh();
      return true;
    } catch (e) {
      this.problem = `The reply failed: ${(e as Error).message}`;
      return false;
    } finally {
      this.pendingUser = null;
      this.streamed = '';
      this.replying = false;
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

  /**
   * One message in an environment: a task (or a free question) opens a new episode with the environment's
   * system prompt; a message in an open unchecked episode is the next state of the agent's answer and the
   * agent acts on. Each action's output is shown as soon as it is recorded.
   */
  private async act(message: string, environment: Environment, task: EnvironmentTask | null, onToken: (piece: string) => void): Promise<void> {
    const { loop } = need(this.runtime);
    const current = this.sessions.currentId;
    let open = !task && current ? this.episodes.get(current) : undefined;
    if (open && open.environment !== environment) open = undefined;
    let sessionId: string;
    if (open && current) sessionId = current;
    else {
      // A free question gets a sandbox too (the terminal's files come from a drawn task); it is not checked.
      const sandboxTask = task ?? { ...environment.sampleTask(this.taskRng), prompt: message };
      const session = await loop.newSession(message.slice(0, 48), environment.sessionKind);
      sessionId = session.id;
      open = { environment, task: sandboxTask, episode: environment.start(sandboxTask), checked: task !== null };
      this.episodes.set(sessionId, open);
      this.turns.clear(sessionId);
      await this.sessions.refresh();
    }
    const first = await loop.send(sessionId, message, onToken, this.turns.ordered.length === 0 ? environment.systemPrompt : undefined);
    await this.show(sessionId);
    const { answer } = await actUntilAnswer(loop, sessionId, open.episode, first, {
      onToken,
      onStep: async () => {
        this.pendingUser = null;
        this.streamed = '';
        await this.show(sessionId);
        this.replying = true;
      },
    });
    this.replying = false;
    if (!answer || open.checked) {
      const success = answer !== null && open.episode.check(answer.response_text);
      if (answer) await endEpisode(loop, sessionId, open.task, success);
      this.outcomes = [...this.outcomes, { sessionId, task: open.task.prompt, success, capped: !answer, expected: open.task.expected }];
      this.episodes.delete(sessionId);
    }
    await this.show(sessionId);
  }

  /** The stored turns replace the streamed bubble: loaded first, so the bubble never flashes empty. */
  private async show(sessionId: string): Promise<void> {
    await this.turns.load(need(this.runtime).store, sessionId);
    this.pendingUser = null;
    this.streamed = '';
    this.replying = false;
  }
}
