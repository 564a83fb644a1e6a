/**
 * The Experiments panel's state: which runs to make, the worker pool that makes them (each worker runs the
 * experiment with its own engines, src/workers/experiment-worker.ts), and every run's sessions (or episodes)
 * as they arrive, for the live plots and the tables. Two experiments share it: learning a preference from talk
 * (issue 8; the numbers are `npm run bench:learn`'s) and agents that act (issue 15; `npm run bench:env`'s).
 */
import * as Comlink from 'comlink';
import type { Backend, Settings } from '../../rl/settings.ts';
import type { BackendChoice, ModelSource } from '../../workers/protocol.ts';
import { startEngineWorker, whileStarting } from '../../workers/engine-workers.ts';
import type { ExperimentWorker } from '../../workers/experiment-worker.ts';
import {
  ENVIRONMENT_SETTINGS, EXPERIMENT_SETTINGS, FULL_PLAN, QUICK_PLAN, SESSION_CAP, SATISFY_STREAK, runsOf, summarize, summarizeEnvironment,
  type EnvironmentRunResult, type EnvironmentRunSpec, type EnvironmentSummary, type EpisodeRecord, type ExperimentSummary, type Plan,
  type RunResult, type RunSpec, type SessionRecord,
} from '../../experiments/index.ts';
import type { EnvironmentId } from '../../world/environments/index.ts';
import { fetchCheckpoint } from '../load/fetch-checkpoint.ts';
import { SHIPPED_MODEL_BASE } from '../load/model-url.ts';

/** `race`: chosen methods side by side on one preference; `quick` and `full`: the bench's plans. */
export type ExperimentPreset = 'race' | 'quick' | 'full';

export type RunStatus = 'queued' | 'running' | 'done' | 'stopped';

export interface LiveRun {
  key: string;
  spec: RunSpec;
  status: RunStatus;
  sessions: SessionRecord[];
  result: RunResult | null;
  worker: number | null;
}

/** One run of the environment experiment as the panel follows it: its episodes so far, then its result. */
export interface LiveEnvironmentRun {
  key: string;
  spec: EnvironmentRunSpec;
  status: RunStatus;
  episodes: EpisodeRecord[];
  result: EnvironmentRunResult | null;
  worker: number | null;
}

export type ExperimentStatus = 'idle' | 'loading' | 'running' | 'done' | 'stopped' | 'error';

/** `preference`: learning a hidden preference from talk (bench:learn); `environment`: agents that act (bench:env). */
export type ExperimentKind = 'preference' | 'environment';

/** bench:env's default run: both environments, the three methods, 20 episodes (its --quick) and one seed. */
export const ENVIRONMENT_RUN_DEFAULTS = { environments: ['tool-use', 'terminal'] as EnvironmentId[], arms: ['hybrid', 'grpo', 'none'], episodes: 20, seeds: 1 };

/**
 * Where the starting checkpoint comes from: the one the page loaded, else a model URL base (the shipped
 * model by default). Read when the workers start.
 */
export interface CheckpointSource {
  /** The built-in checkpoint, or a loaded Hugging Face model (its LoRA adapter trains in each run). */
  readonly checkpoint?: ModelSource;
  readonly modelBase?: string;
}

interface PoolWorker {
  worker: Worker;
  api: Comlink.Remote<ExperimentWorker>;
}

/** One worker per core the page can spare, at most two (hybrid and GRPO race side by side). */
export function defaultWorkerCount(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  return Math.max(1, Math.min(2, cores));
}

export const runKey = (s: RunSpec) => `${s.arm}|${s.preference}|${s.seed}`;
export const environmentRunKey = (s: EnvironmentRunSpec) => `${s.environment}|${s.arm}|${s.seed}`;

/** The environment experiment's runs in bench:env's order, the arms of one environment and seed next to each other. */
export function environmentRunsOf(environments: readonly EnvironmentId[], arms: readonly string[], seeds: number, episodes: number): EnvironmentRunSpec[] {
  return environments.flatMap((environment) => Array.from({ length: Math.max(1, seeds) }, (_, i) => i + 1)
    .flatMap((seed) => arms.map((arm) => ({ environment, arm, seed, episodes }))));
}

export class ExperimentsState {
  kind = $state<ExperimentKind>('preference');
  preset = $state<ExperimentPreset>('race');
  /** Race settings. */
  raceArms = $state<string[]>(['hybrid', 'grpo']);
  racePreference = $state('lowercase');
  raceSeeds = $state(1);
  cap = $state(SESSION_CAP);
  workerCount = $state(defaultWorkerCount());
  backend = $state<Backend>('wasm');
  /** Environment experiment settings (bench:env's flags). */
  environments = $state<EnvironmentId[]>([...ENVIRONMENT_RUN_DEFAULTS.environments]);
  environmentArms = $state<string[]>([...ENVIRONMENT_RUN_DEFAULTS.arms]);
  episodes = $state(ENVIRONMENT_RUN_DEFAULTS.episodes);
  environmentSeeds = $state(ENVIRONMENT_RUN_DEFAULTS.seeds);

  status = $state<ExperimentStatus>('idle');
  problem = $state<string | null>(null);
  backendChoice = $state<BackendChoice | null>(null);
  runs = $state.raw<LiveRun[]>([]);
  environmentRuns = $state.raw<LiveEnvironmentRun[]>([]);
  startedAt = $state<number | null>(null);
  finishedAt = $state<number | null>(null);

  /** The finished runs' table, as bench:learn prints it. */
  summary = $derived<ExperimentSummary>(summarize(this.runs.filter((r) => r.result).map((r) => r.result!)));
  /** The finished environment runs' figures per environment, as bench:env prints them. */
  environmentSummaries = $derived<Partial<Record<EnvironmentId, EnvironmentSummary>>>(summarizeByEnvironment(this.environmentRuns));

  private pool: PoolWorker[] = [];
  private stopping = false;

  constructor(public source: CheckpointSource = {}, private readonly base: Partial<Settings> = EXPERIMENT_SETTINGS,
    private readonly environmentBase: Partial<Settings> = ENVIRONMENT_SETTINGS) {}

  /** The plan the chosen preset makes. */
  plan(): Plan {
    if (this.preset === 'quick') return { ...QUICK_PLAN, cap: this.cap };
    if (this.preset === 'full') return { ...FULL_PLAN, cap: this.cap };
    const seeds = Array.from({ length: Math.max(1, this.raceSeeds) }, (_, i) => i + 1);
    return { name: 'race', cap: this.cap, streak: SATISFY_STREAK, sections: [{ arms: this.raceArms, preferences: [this.racePreference], seeds }] };
  }

  get running(): boolean {
    return this.status === 'loading' || this.status === 'running';
  }

  async start(): Promise<void> {
    if (this.running) return;
    const jobs = this.kind === 'environment' ? this.environmentJobs() : this.preferenceJobs();
    if (jobs.length === 0) {
      this.problem = this.kind === 'environment' ? 'Choose at least one environment and one method.' : 'Choose at least one method.';
      return;
    }
    this.problem = null;
    this.stopping = false;
    this.startedAt = Date.now();
    this.finishedAt = null;
    try {
      this.status = 'loading';
      await this.ensurePool(Math.min(this.workerCount, jobs.length));
      this.status = 'running';
      let next = 0;
      const work = async (w: number) => {
        while (!this.stopping && next < jobs.length) await jobs[next++](w);
      };
      await Promise.all(this.pool.map((_, w) => work(w)));
      this.status = this.stopping ? 'stopped' : 'done';
    } catch (e) {
      this.problem = e instanceof Error ? e.message : String(e);
      this.status = 'error';
    } finally {
      this.finishedAt = Date.now();
      const unfinished = (status: RunStatus): RunStatus => (status === 'queued' || status === 'running' ? 'stopped' : status);
      this.runs = this.runs.map((r) => ({ ...r, status: unfinished(r.status) }));
      this.environmentRuns = this.environmentRuns.map((r) => ({ ...r, status: unfinished(r.status) }));
    }
  }

  /** The preference experiment's runs, queued; one job per run. */
  private preferenceJobs(): ((w: number) => Promise<void>)[] {
    const specs = this.raceOrder(runsOf(this.plan()));
    if (specs.length > 0) this.runs = specs.map((spec) => ({ key: runKey(spec), spec, status: 'queued', sessions: [], result: null, worker: null }));
    return specs.map((spec) => (w: number) => this.runOne(w, spec));
  }

  /** The environment experiment's runs, queued; one job per run. */
  private environmentJobs(): ((w: number) => Promise<void>)[] {
    const specs = environmentRunsOf(this.environments, this.environmentArms, this.environmentSeeds, this.episodes);
    if (specs.length > 0) {
      this.environmentRuns = specs.map((spec) => ({ key: environmentRunKey(spec), spec, status: 'queued', episodes: [], result: null, worker: null }));
    }
    return specs.map((spec) => (w: number) => this.runEnvironment(w, spec));
  }

  /** Ends every run after its current session (or episode); queued runs are dropped. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.pool.map((p) => p.api.stop()));
  }

  dispose(): void {
    this.stopping = true;
    for (const p of this.pool) p.worker.terminate();
    this.pool = [];
  }

  /** In a race, the same seed of each arm starts at the same time on different workers. */
  private raceOrder(specs: RunSpec[]): RunSpec[] {
    if (this.preset !== 'race') return specs;
    return [...specs].sort((a, b) => a.seed - b.seed || this.raceArms.indexOf(a.arm) - this.raceArms.indexOf(b.arm));
  }

  private async ensurePool(size: number): Promise<void> {
    if (this.pool.length >= size) return;
    const initial = this.source.checkpoint ?? (await fetchCheckpoint(this.source.modelBase ?? SHIPPED_MODEL_BASE));
    while (this.pool.length < size) {
      const worker = startEngineWorker('experiment', this.pool.length);
      const api = Comlink.wrap<ExperimentWorker>(worker);
      this.backendChoice = await whileStarting(worker, 'experiment', api.init(initial, this.backend)).catch((e: Error) => {
        worker.terminate();
        throw e;
      });
      this.pool.push({ worker, api });
    }
  }

  private patch(key: string, change: (r: LiveRun) => LiveRun): void {
    this.runs = this.runs.map((r) => (r.key === key ? change(r) : r));
  }

  private async runOne(w: number, spec: RunSpec): Promise<void> {
    const key = runKey(spec);
    this.patch(key, (r) => ({ ...r, status: 'running', worker: w }));
    const onSession = (record: SessionRecord) => this.patch(key, (r) => ({ ...r, sessions: [...r.sessions, record] }));
    const result = await this.pool[w].api.run(spec, { ...this.base }, Comlink.proxy(onSession));
    // A run cut short by Stop says nothing about sessions-to-satisfy: it stays out of the table.
    const cut = result.hitCap && result.sessions.length < result.spec.cap;
    this.patch(key, (r) => ({ ...r, status: cut ? 'stopped' : 'done', result: cut ? null : result }));
  }

  private patchEnvironment(key: string, change: (r: LiveEnvironmentRun) => LiveEnvironmentRun): void {
    this.environmentRuns = this.environmentRuns.map((r) => (r.key === key ? change(r) : r));
  }

  private async runEnvironment(w: number, spec: EnvironmentRunSpec): Promise<void> {
    const key = environmentRunKey(spec);
    this.patchEnvironment(key, (r) => ({ ...r, status: 'running', worker: w }));
    const onEpisode = (record: EpisodeRecord) => this.patchEnvironment(key, (r) => ({ ...r, episodes: [...r.episodes, record] }));
    const result = await this.pool[w].api.runEnvironment(spec, { ...this.environmentBase }, Comlink.proxy(onEpisode));
    // A run cut short by Stop has no last 10 episodes: it stays out of the table.
    const cut = result.episodes.length < spec.episodes;
    this.patchEnvironment(key, (r) => ({ ...r, status: cut ? 'stopped' : 'done', result: cut ? null : result }));
  }
}

/** bench:env's figures per environment, from the runs that finished. */
function summarizeByEnvironment(runs: readonly LiveEnvironmentRun[]): Partial<Record<EnvironmentId, EnvironmentSummary>> {
  const done = runs.filter((r) => r.result).map((r) => r.result!);
  const environments = [...new Set(done.map((r) => r.spec.environment))];
  return Object.fromEntries(environments.map((env) => [env, summarizeEnvironment(done.filter((r) => r.spec.environment === env))]));
}

let shared: ExperimentsState | null = null;

/** The page's one experiment: it keeps running, and keeps its results, while its panel is hidden. */
export function pageExperiments(source: CheckpointSource): ExperimentsState {
  shared ??= new ExperimentsState(source);
  shared.source = source;
  return shared;
}
