/**
 * What an environment is (METHOD §1–2): a task, a per-episode sandbox that turns each action of the agent
 * into the next state of that step, and a checker for the episode's outcome. Tool use and the terminal
 * share this shape, the episode driver (src/workers/environment-episode.ts) and the step judge.
 */
import type { Rng } from '../../model/rng.ts';

export type EnvironmentId = 'tool-use' | 'terminal';

/**
 * Which tasks an environment draws: the ones the corpus teaches (`corpus`), or tasks the corpus never shows:
 * `near` (the corpus's operands and commands asked in other words, or with other names: the policy solves some
 * of them, so there is something to learn; bench:env's default), `heldout` (3-digit arithmetic, other task
 * kinds: the world-6 policy solves these all or not at all per kind). Visitors' "New task" draws `corpus`.
 */
export type TaskSet = 'near' | 'heldout' | 'corpus';
export const TASK_SETS: readonly TaskSet[] = ['near', 'heldout', 'corpus'];

/** One task of an environment: what the user asks, and how the episode's end is checked. */
export interface EnvironmentTask {
  id: string;
  environment: EnvironmentId;
  /** The user message that opens the episode. */
  prompt: string;
  /** What a correct final answer states (a number, a city), or the state the sandbox must end in. */
  expected: string;
  /** What the user says when the episode failed, after "That's not right." (`verdictText`). */
  correction: string;
}

/** The next state an action produced (a `tool` message), or null when the reply is the final answer. */
export type StepOutcome = { nextState: string } | null;

/** One episode's sandbox: created fresh from a task, it never touches anything outside itself. */
export interface Episode {
  /** Runs the agent's reply if it is an action; null when it answers the user. */
  step(reply: string): StepOutcome;
  /** The checker (the episode's outcome): true when the final answer (and the sandbox's state) is right. */
  check(finalAnswer: string): boolean;
}

export interface Environment {
  id: EnvironmentId;
  label: string;
  /** The system message that announces the environment's actions to the policy. */
  systemPrompt: string;
  /** The session kind the store records and the step judge is told (METHOD §2). */
  sessionKind: 'tool-call' | 'terminal';
  /** A random task of the set (visitors' "new task": corpus; the benchmark: held out by default). */
  sampleTask(rng: Rng, set?: TaskSet): EnvironmentTask;
  /** A fresh sandbox for one episode of the task. */
  start(task: EnvironmentTask): Episode;
}

/** Actions in one episode before it is stopped as failed. */
export const MAX_ACTIONS = 4;

/**
 * What the user answers to the final answer of a checked episode: the next state of that last step.
 * Thanks when it is right; otherwise the task's correction (it names the expected answer or end state).
 */
export function verdictText(success: boolean, task: EnvironmentTask): string {
  return success ? "Thanks, that's right." : `That's not right. ${task.correction}`;
}
