/**
 * One run of the environment experiment (issue 15): one environment, one arm, one seed; `episodes` tasks drawn
 * from the environment's task source, each an episode through NextState's own online loop and engines
 * (`runEpisode`): every action's output is judged by the step judge, the final answer is checked, and the
 * loop teaches and updates as it would in the page. C = 2 for environments (METHOD §5).
 */
import { createRng } from '../model/rng.ts';
import { validateSettings, ENVIRONMENT_C, type Settings } from '../rl/settings.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import { MemoryStore } from '../store/index.ts';
import { OnlineLoop } from '../workers/online-loop.ts';
import { runEpisode } from '../workers/environment-episode.ts';
import type { ModelSource, SignalResult } from '../workers/protocol.ts';
import { ENVIRONMENTS, type EnvironmentId, type TaskSet } from '../world/environments/index.ts';
import { armById, armSettings, LOOP_SETTINGS } from './arms.ts';
import { seededPolicy, startArm, type ExperimentEngines } from './run.ts';

/**
 * The environment experiment's base: the loop's shared settings (B = 1) with C = 2 (METHOD §5), lr 1e-4
 * and 2 epochs per batch, and the frozen teacher (the one bench:env was measured with). An episode makes 2–3
 * samples, each an update at B = 1; at lr 3e-4 × 4 epochs the hybrid's replies fell apart within 20 episodes
 * ("call calculator: 13 * ours 4 minutes…"), at 1e-4 × 2 they stayed well-formed (bench:env --quick, tool use, seed 1).
 * Every other knob is the method's default (w_RL = 1, Adam ε = 1e-8), as bench:env was measured: the
 * personalisation experiment's w_RL and ε of issue 17 were not tried here.
 */
export const ENVIRONMENT_SETTINGS: Partial<Settings> = { ...LOOP_SETTINGS, C: ENVIRONMENT_C, lr: 1e-4, epochsPerBatch: 2, teacher: 'frozen' };

export interface EnvironmentRunSpec {
  environment: EnvironmentId;
  arm: string;
  seed: number;
  episodes: number;
  /**
   * The tasks drawn (`TaskSet`): `near` by default (the corpus's operands and commands in words or on names the
   * corpus never uses: the world-6 policy solves about half, so there is something to learn), `heldout` (solved
   * all or not at all per kind), or `corpus` (solved from the first episode: nothing to learn).
   */
  tasks?: TaskSet;
}

/** What happened in one episode. */
export interface EpisodeRecord {
  episode: number;
  task: string;
  success: boolean;
  capped: boolean;
  /** Actions the agent took (tool calls, commands). */
  actions: number;
  /** The step judge's majority score per step, in order (METHOD §2); null where no signal came back. */
  stepScores: (number | null)[];
  /** The replies, in order (the last one is the answer unless capped). */
  replies: string[];
  version: number;
}

export interface EnvironmentRunResult {
  spec: EnvironmentRunSpec;
  episodes: EpisodeRecord[];
  updates: number;
  wallMs: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runEnvironmentExperiment(engines: ExperimentEngines, initial: ModelSource, spec: EnvironmentRunSpec,
  options: { base?: Partial<Settings>; onEpisode?: (record: EpisodeRecord) => void; shouldStop?: () => boolean } = {}): Promise<EnvironmentRunResult> {
  const arm = armById(spec.arm);
  const settings = validateSettings(armSettings(arm, spec.seed, options.base ?? ENVIRONMENT_SETTINGS));
  engines.signal.setJudge(builtinJudgeBackend);
  const environment = ENVIRONMENTS[spec.environment];
  const tasks = createRng(spec.seed * 7919 + 17);
  const signals = new Map<string, SignalResult>();
  const errors: Error[] = [];
  let samples = 0;
  let updates = 0;
  const loop = new OnlineLoop({ policy: seededPolicy(engines.policy, spec.seed), signal: engines.signal, trainer: engines.trainer }, await MemoryStore.open(), settings, {
    signal: (r) => { signals.set(`${r.sessionId}#${r.turn}`, r); if (r.sample) samples++; },
    update: () => { updates++; },
    error: (_where, e) => errors.push(e),
  });
  const started = performance.now();
  await startArm(loop, initial, arm);
  const records: EpisodeRecord[] = [];
  for (let n = 1; n <= spec.episodes && !options.shouldStop?.(); n++) {
    const result = await runEpisode(loop, environment, environment.sampleTask(tasks, spec.tasks ?? 'near'));
    // Like a visitor who watches the episode end: the next one starts after the updates its samples complete.
    await loop.idle();
    while (errors.length === 0 && samples - updates * settings.batchSize >= settings.batchSize) await pause(5);
    await loop.idle();
    if (errors.length > 0) throw errors[0];
    const record: EpisodeRecord = {
      episode: n,
      task: result.task.prompt,
      success: result.success,
      capped: result.capped,
      actions: result.steps.filter((s) => s.action).length,
      stepScores: result.steps.map((s) => signals.get(`${result.sessionId}#${s.turn.turn}`)?.evaluative.score ?? null),
      replies: result.steps.map((s) => s.turn.response_text),
      version: result.steps[0]?.turn.policy_version ?? 0,
    };
    records.push(record);
    options.onEpisode?.(record);
  }
  return { spec, episodes: records, updates, wallMs: performance.now() - started };
}
