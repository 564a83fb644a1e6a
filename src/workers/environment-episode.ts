/**
 * One episode of an environment through the online loop (METHOD §1–2): the task is the user's message; while
 * the agent's reply is an action, the sandbox runs it and its output is that main turn's next state (a
 * `tool` message, judged by the environment's step judge) and the agent acts again; a run of actions is
 * capped. The final answer is checked (the episode's outcome) and the user's verdict is its next state; its
 * step reward adds the outcome (±1). The page and `bench:env` drive episodes through this one function.
 */
import { MAX_ACTIONS, verdictText, type Environment, type EnvironmentTask } from '../world/environments/environment.ts';
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
  /** Each step as soon as it has its next state (the page adds its bubbles). */
  onStep?: (step: EpisodeStep) => void;
  /** The session, once created (the page selects it). */
  onSession?: (sessionId: string) => void;
  /** Actions before the episode is stopped as failed (default MAX_ACTIONS). */
  maxActions?: number;
  /**
   * False: leave the final answer open (a visitor's free question has no checker; the visitor's next message
   * is its next state). Default true.
   */
  checked?: boolean;
}

/** `runEpisode(loop, environment, task, hooks?)`: one episode on a new session of the environment's kind. */
export async function runEpisode(loop: OnlineLoop, environment: Environment, task: EnvironmentTask, hooks: EpisodeHooks = {}): Promise<EpisodeResult> {
  const session = await loop.newSession(task.prompt.slice(0, 48), environment.sessionKind);
  hooks.onSession?.(session.id);
  const episode = environment.start(task);
  const cap = hooks.maxActions ?? MAX_ACTIONS;
  const steps: EpisodeStep[] = [];
  let turn = await loop.send(session.id, task.prompt, hooks.onToken, environment.systemPrompt);
  for (let actions = 0; ; ) {
    const outcome = episode.step(turn.response_text);
    if (!outcome) break;
    await loop.toolResult(session.id, outcome.nextState);
    const step: EpisodeStep = { turn, nextState: { role: 'tool', content: outcome.nextState }, action: true };
    steps.push(step);
    hooks.onStep?.(step);
    if (++actions >= cap) {
      // A capped episode fails; its steps keep their step-judge rewards (its last action was judged already).
      return { sessionId: session.id, task, steps, success: false, capped: true };
    }
    turn = await loop.act(session.id, hooks.onToken);
  }
  const success = episode.check(turn.response_text);
  if (hooks.checked === false) {
    const open: EpisodeStep = { turn, nextState: null, action: false };
    steps.push(open);
    hooks.onStep?.(open);
    return { sessionId: session.id, task, steps, success, capped: false };
  }
  const verdict = { role: 'user' as const, content: verdictText(success, task) };
  await loop.endSession(session.id, verdict, success ? 1 : -1);
  const last: EpisodeStep = { turn, nextState: verdict, action: false };
  steps.push(last);
  hooks.onStep?.(last);
  return { sessionId: session.id, task, steps, success, capped: false };
}
