/**
 * One episode of an environment through the online loop (METHOD §1–2): the task is the user's message; while
 * the agent's reply is an action, the sandbox runs it and its output is that main turn's next state (a
 * `tool` message, judged by the environment's step judge) and the agent acts again; a run of actions is
 * capped. The final answer is checked (the episode's outcome) and the user's verdict is its next state; its
 * step reward adds the outcome (±1). The page and `bench:env` drive episodes through these functions.
 */
import { MAX_ACTIONS, verdictText, type Environment, type EnvironmentTask, type Episode } from '../world/environments/environment.ts';
import type { OnlineLoop, StoredTurn } from './online-loop.ts';

export interface EpisodeStep {
  /** The main turn of this step (an action or the final answer). */
  turn: StoredTurn;
  /** Its next state: the sandbox's output for an action, the user's verdict for the answer. */
  nextState: { role: 'tool' | 'user'; content: string } | null;
  action: boolean;
}

export interface EpisodeResult {
  sessionId: string;
  task: EnvironmentTask;
  steps: EpisodeStep[];
  /** The checker's verdict on the final answer; false when the actions ran past the cap. */
  success: boolean;
  capped: boolean;
}

export interface EpisodeHooks {
  onToken?: (piece: string) => void;
  /** Each step as soon as it has its next state (the page shows its bubbles). */
  onStep?: (step: EpisodeStep) => void | Promise<void>;
  /** Actions before the episode is stopped as failed (default MAX_ACTIONS). */
  maxActions?: number;
}

/**
 * `actUntilAnswer(loop, sessionId, episode, turn, hooks?)`: from the agent's reply `turn`, runs its actions in
 * the sandbox, each output the next state of its turn, until the agent answers or the cap is reached.
 */
export async function actUntilAnswer(loop: OnlineLoop, sessionId: string, episode: Episode, turn: StoredTurn, hooks: EpisodeHooks = {}):
  Promise<{ steps: EpisodeStep[]; answer: StoredTurn | null }> {
  const cap = hooks.maxActions ?? MAX_ACTIONS;
  const steps: EpisodeStep[] = [];
  for (let actions = 0; ; ) {
    const outcome = episode.step(turn.response_text);
    if (!outcome) return { steps, answer: turn };
    await loop.toolResult(sessionId, outcome.nextState);
    const step: EpisodeStep = { turn, nextState: { role: 'tool', content: outcome.nextState }, action: true };
    steps.push(step);
    await hooks.onStep?.(step);
    // A capped episode fails; its steps keep their step-judge rewards (its last action was judged already).
    if (++actions >= cap) return { steps, answer: null };
    turn = await loop.act(sessionId, hooks.onToken);
  }
}

/**
 * The end of a checked episode: the user's verdict on the answer is its next state, and the checker's outcome
 * (±1) is added to its step reward (METHOD §2).
 */
export async function endEpisode(loop: OnlineLoop, sessionId: string, task: EnvironmentTask, success: boolean): Promise<{ role: 'user'; content: string }> {
  const verdict = { role: 'user' as const, content: verdictText(success, task) };
  await loop.endSession(sessionId, verdict, success ? 1 : -1);
  return verdict;
}

/** `runEpisode(loop, environment, task, hooks?)`: one checked episode on a new session of the environment's kind. */
export async function runEpisode(loop: OnlineLoop, environment: Environment, task: EnvironmentTask, hooks: EpisodeHooks = {}): Promise<EpisodeResult> {
  const session = await loop.newSession(task.prompt.slice(0, 48), environment.sessionKind);
  const episode = environment.start(task);
  const first = await loop.send(session.id, task.prompt, hooks.onToken, environment.systemPrompt);
  const { steps, answer } = await actUntilAnswer(loop, session.id, episode, first, hooks);
  if (!answer) return { sessionId: session.id, task, steps, success: false, capped: true };
  const success = episode.check(answer.response_text);
  const last: EpisodeStep = { turn: answer, nextState: await endEpisode(loop, session.id, task, success), action: false };
  steps.push(last);
  await hooks.onStep?.(last);
  return { sessionId: session.id, task, steps, success, capped: false };
}
