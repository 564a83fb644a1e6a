/**
 * The experiments as their worker exposes them: the personalisation experiment (issue 8, `runExperiment`) and
 * the environment experiment (issue 15, `runEnvironmentExperiment`). The worker holds its own policy, signal
 * and trainer engines (the same classes the loop uses) and makes one run at a time; the page sends runs and
 * receives each session or episode as it ends.
 */
import { PolicyEngine } from './policy-engine.ts';
import { SignalEngine } from './signal-engine.ts';
import { TrainerEngine } from './trainer-engine.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import type { Backend, Settings } from '../rl/settings.ts';
import type { BackendChoice, ModelSource, UpdateMetrics } from './protocol.ts';
import {
  runEnvironmentExperiment, runExperiment, type EnvironmentRunResult, type EnvironmentRunSpec, type EpisodeRecord, type RunResult, type RunSpec,
  type SessionRecord,
} from '../experiments/index.ts';

export class ExperimentWorker {
  private readonly engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  private initial: ModelSource | null = null;
  private stopping = false;

  /** Starts the backend and keeps the model every run starts from (the built-in checkpoint or a loaded one). */
  async init(initial: ModelSource, backend: Backend): Promise<BackendChoice> {
    const choice = await this.engines.policy.init(backend);
    await Promise.all([this.engines.signal.init(choice.backend), this.engines.trainer.init(choice.backend)]);
    this.initial = initial;
    return choice;
  }

  async run(spec: RunSpec, base: Partial<Settings>, onSession: (record: SessionRecord) => void, onUpdate?: (metrics: UpdateMetrics) => void): Promise<RunResult> {
    if (!this.initial) throw new Error('ExperimentWorker: init() first');
    this.stopping = false;
    return runExperiment(this.engines, this.initial, spec, { base, onSession, onUpdate, shouldStop: () => this.stopping });
  }

  /** One run of the environment experiment on `base` (bench:env's ENVIRONMENT_SETTINGS: C = 2). */
  async runEnvironment(spec: EnvironmentRunSpec, base: Partial<Settings>, onEpisode: (record: EpisodeRecord) => void): Promise<EnvironmentRunResult> {
    if (!this.initial) throw new Error('ExperimentWorker: init() first');
    this.stopping = false;
    return runEnvironmentExperiment(this.engines, this.initial, spec, { base, onEpisode, shouldStop: () => this.stopping });
  }

  /** Ends the current run after its session (or episode) in progress. */
  stop(): void {
    this.stopping = true;
  }
}
