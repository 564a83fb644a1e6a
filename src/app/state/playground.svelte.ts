/**
 * The playground's state and its wiring: boots the page (record store, settings, model download with
 * progress, the three engine workers, the online loop), routes the loop's events to the panels' states,
 * and restarts the loop when a rollback or a backend change needs every worker to reload.
 */
import { Tokenizer } from '../../model/tokenizer.ts';
import type { ChatTokenizer } from '../../model/chat-tokenizer.ts';
import type { Settings } from '../../rl/settings.ts';
import { IndexedDbStore } from '../../store/index.ts';
import { OnlineLoop, type LoopEvents } from '../../workers/online-loop.ts';
import { createWorkerEngines } from '../../workers/page-engines.ts';
import type { BackendChoice, CheckpointBlob, HfModelLocation } from '../../workers/protocol.ts';
import { turnKey } from '../../workers/protocol.ts';
import { fetchCheckpoint, ModelLoadError, type LoadProgress } from '../load/fetch-checkpoint.ts';
import { modelBase } from '../load/model-url.ts';
import { modelChoiceFromQuery, pageQueryWithModel, parseModelChoice } from '../load/model-choice.ts';
import { HfModelState } from './hf-model.svelte.ts';
import { fallbackNotice } from './fallback-notice.ts';
import { JudgeConfigState } from '../settings/judge-config.svelte.ts';
import { PolicyConfigState } from '../settings/policy-config.svelte.ts';
import { RemoteChatState } from './remote-chat.svelte.ts';
import { SettingsState } from '../settings/settings.svelte.ts';
import { ChatState } from './chat.svelte.ts';
import { InspectorState } from './inspector.svelte.ts';
import { need, type Runtime, type RuntimeRef } from './runtime.ts';
import { SessionsState } from './sessions.svelte.ts';
import { TrainingState } from './training.svelte.ts';
import { TransferState } from './transfer.svelte.ts';
import { TurnsState } from './turns.svelte.ts';

export type Phase = 'loading' | 'ready' | 'failed';
export type PanelId = 'inspector' | 'training' | 'settings' | 'sessions' | 'workshop' | 'experiments';

export interface EngineBackends {
  policy: BackendChoice;
  signal: BackendChoice;
  trainer: BackendChoice;
}

export interface Notice {
  id: number;
  text: string;
}

/** Share of the progress bar the download takes; the rest is starting the workers and loading the policy. */
const DOWNLOAD_SHARE = 0.8;

export class Playground {
  phase = $state<Phase>('loading');
  progress = $state<LoadProgress>({ fraction: 0, loadedBytes: 0, totalBytes: null, stage: 'Starting' });
  /** Why the page could not start; `model` when the model files are at fault (missing, damaged). */
  loadError = $state<{ message: string; model: boolean } | null>(null);
  backends = $state<EngineBackends | null>(null);
  /** Things the loop reported going wrong (a judge failing, an update failing, storage full). */
  notices = $state<Notice[]>([]);
  panel = $state<PanelId>('inspector');
  /** Restarting the workers after a backend change. */
  restarting = $state<string | null>(null);
  modelInfo = $state<{ preset: string; corpusVersion: string; tokensSeen: number } | null>(null);

  readonly runtime: RuntimeRef = { current: null };
  readonly settings = new SettingsState();
  readonly judge = new JudgeConfigState();
  readonly policy = new PolicyConfigState();
  readonly remote = new RemoteChatState();
  readonly turns = new TurnsState();
  readonly sessions = new SessionsState(this.runtime, this.turns);
  readonly chat = new ChatState(this.runtime, this.sessions, this.turns, this.policy, this.remote, () => this.settings.value.environment);
  readonly training = new TrainingState(this.runtime);
  readonly transfer = new TransferState(this.runtime, (ids) => this.afterImport(ids));
  readonly inspector = new InspectorState();
  /** The Hugging Face model chosen instead of the built-in one (picker, plan, download, forget). */
  readonly model = new HfModelState();
  private noticeCount = 0;
  private listening = false;

  get tokenizer(): ChatTokenizer | null {
    return this.runtime.current?.tokenizer ?? null;
  }

  /** Starts on the model the URL names (`?hf=`, else the built-in one). */
  async boot(search: string): Promise<void> {
    try {
      const choice = modelChoiceFromQuery(search);
      if (choice.kind === 'builtin' || choice.kind === 'files') return await this.bootBuiltin(search);
      this.stage('Reading the model folder (config and tokenizer)', 0);
      const ready = await this.model.prepare(choice, location.href);
      await this.bootHf(search, ready.location, ready.probe.tokenizer, ready.probe.config.vocabSize, ready.probe.family);
    } catch (e) {
      this.loadError = { message: (e as Error).message, model: e instanceof ModelLoadError };
      this.phase = 'failed';
    }
  }

  /**
   * The picker's choice: the built-in model, a Hub repo or a folder URL reload the page on a link that names it
   * (so the link can be shared); a bad value returns the reason.
   */
  chooseModel(text: string): string | null {
    try {
      const choice = parseModelChoice(text);
      location.assign(`${location.pathname}${pageQueryWithModel(location.search, choice)}`);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** A folder picked from disk replaces the running model in place (its files cannot travel in a link). */
  async chooseLocalFolder(name: string, files: Record<string, Uint8Array>): Promise<void> {
    this.runtime.current?.engines.terminate();
    this.runtime.current = null;
    this.turns.clear(); // the open session was the previous model's store's
    this.backends = null;
    this.loadError = null;
    this.phase = 'loading';
    try {
      const ready = await this.model.prepareLocal(name, files);
      await this.bootHf(location.search, ready.location, ready.probe.tokenizer, ready.probe.config.vocabSize, ready.probe.family);
    } catch (e) {
      this.loadError = { message: (e as Error).message, model: false };
      this.phase = 'failed';
    }
  }

  private async bootBuiltin(search: string): Promise<void> {
    this.stage('Opening the record store (IndexedDB)', 0);
    const store = await IndexedDbStore.open();
    const settings = await this.settings.init(store, search);
    const initial = await fetchCheckpoint(modelBase(search), (p) =>
      (this.progress = { ...p, fraction: p.fraction === null ? null : p.fraction * DOWNLOAD_SHARE }),
    );
    const tokenizer = Tokenizer.fromJSON(initial.manifest.tokenizer);
    this.modelInfo = { preset: initial.manifest.preset, corpusVersion: String(initial.manifest.corpusVersion ?? 'unknown'), tokensSeen: initial.manifest.tokensSeen };
    await this.startRuntime(store, settings, initial, tokenizer, initial.manifest.config.vocabSize);
  }

  /** A Hugging Face model: its own record store (its token ids are another vocabulary's), a frozen base in the workers. */
  private async bootHf(search: string, location: HfModelLocation, tokenizer: ChatTokenizer, vocabSize: number, family: string): Promise<void> {
    this.stage('Opening the record store (IndexedDB)', DOWNLOAD_SHARE);
    const store = await IndexedDbStore.open(`nextstate-hf:${location.kind === 'hub' ? location.repo : location.kind === 'url' ? location.url : location.name}`);
    const settings = await this.settings.init(store, search);
    this.modelInfo = { preset: family, corpusVersion: 'Hugging Face checkpoint', tokensSeen: 0 };
    await this.startRuntime(store, settings, { hf: location }, tokenizer, vocabSize);
  }

  private async startRuntime(store: IndexedDbStore, settings: Settings, model: CheckpointBlob | { hf: HfModelLocation }, tokenizer: ChatTokenizer, vocabSize: number): Promise<void> {
    let engines: Runtime['engines'] | null = null;
    try {
      this.stage('Starting the policy, signal and trainer workers', DOWNLOAD_SHARE + 0.05);
      const started = (engines = createWorkerEngines());
      this.backends = await this.initEngines(started, settings.backend);
      await this.judge.connect((config) => started.setJudgeConfig(config));
      this.stage('Loading the policy into the workers', DOWNLOAD_SHARE + 0.1);
      const loop = new OnlineLoop(started, store, settings, this.events());
      await loop.start(model).catch((e: Error) => {
        throw new Error(`The policy could not be loaded: ${e.message}`);
      });
      this.runtime.current = { store, engines: started, loop, model, tokenizer, vocabSize };
      this.turns.vocabSize = vocabSize;
      this.remote.connect(store, () => {
        const config = this.policy.config;
        if (config.kind !== 'remote') throw new Error('the policy runs on this device');
        return config;
      }, async (sessionId) => {
        if (sessionId === this.turns.sessionId) await this.turns.load(store, sessionId);
        await this.sessions.refresh();
      });
      if (!this.listening) this.settings.onChange((next, previous) => void this.applySettings(next, previous));
      this.listening = true;
      await Promise.all([this.sessions.openLatest(), this.training.refresh()]);
      // A session that could not be opened is reported; the page opened another (or a new one) instead.
      if (this.sessions.problem) this.notify(this.sessions.problem);
      this.stage('Ready', 1);
      this.phase = 'ready';
    } catch (e) {
      engines?.terminate();
      throw e;
    }
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  private stage(stage: string, fraction: number): void {
    this.progress = { fraction, loadedBytes: this.progress.loadedBytes, totalBytes: this.progress.totalBytes, stage };
  }

  private notify(text: string): void {
    this.notices = [...this.notices.slice(-4), { id: ++this.noticeCount, text }];
  }

  private async initEngines(engines: Runtime['engines'], backend: Settings['backend']): Promise<EngineBackends> {
    const [policy, signal, trainer] = await Promise.all([engines.policy.init(backend), engines.signal.init(backend), engines.trainer.init(backend)]);
    return { policy, signal, trainer };
  }

  /** The open session's turns read again from the store (an update or stale samples changed their status). */
  private reloadTurns(): void {
    const rt = this.runtime.current;
    if (rt && this.turns.sessionId) this.turns.load(rt.store, this.turns.sessionId).catch((e: Error) => this.notify(e.message));
  }

  private events(): LoopEvents {
    return {
      signal: (result) => {
        if (result.sessionId === this.turns.sessionId) this.turns.applySignal(result);
        if (this.inspector.turnKey === null && result.report) this.inspector.show(turnKey(result.sessionId, result.turn));
      },
      update: (metrics) => {
        this.training.addUpdate(metrics);
        this.reloadTurns();
      },
      stale: () => this.reloadTurns(),
      failed: (ids, error) => {
        this.notify(`An update failed ${ids.length === 1 ? 'on 1 sample' : `on ${ids.length} samples`} every time it was tried (${error.message}); ` +
          'they are set aside, kept and exported, and the next samples train. Sessions → "Retry failed samples" tries them again.');
        this.reloadTurns();
        void this.sessions.refreshHeld();
      },
      queue: (state) => {
        this.training.queue = state;
      },
      backend: (engine, choice) => {
        if (this.backends) this.backends = { ...this.backends, [engine]: choice };
        const rt = this.runtime.current;
        void (rt ? rt.engines.policy.info() : Promise.resolve(null))
          .catch(() => null)
          .then((info) => this.notify(fallbackNotice(engine, choice, info?.parameters ?? null)));
      },
      error: (where, error) => this.notify(`${where === 'signal' ? 'Judging a turn' : where === 'update' ? 'An update' : 'Saving'} failed: ${error.message}`),
    };
  }

  /** Every accepted settings change reaches the loop at once; a new backend restarts the workers on it. */
  private async applySettings(next: Settings, previous: Settings): Promise<void> {
    const rt = this.runtime.current;
    if (!rt) return;
    rt.loop.setSettings(next);
    if (next.backend === previous.backend) return;
    this.restarting = `Switching the workers to backend "${next.backend}"…`;
    try {
      await rt.loop.idle();
      this.backends = await this.initEngines(rt.engines, next.backend);
      await this.restartLoop();
    } catch (e) {
      this.notify(`Switching the backend failed: ${(e as Error).message}`);
    } finally {
      this.restarting = null;
    }
  }

  /** A fresh loop over the same store and workers: it loads the serving version into every worker. */
  private async restartLoop(): Promise<void> {
    const rt = need(this.runtime);
    const loop = new OnlineLoop(rt.engines, rt.store, this.settings.value, this.events());
    await loop.start(rt.model);
    rt.loop = loop;
    if (this.turns.sessionId) await this.turns.load(rt.store, this.turns.sessionId);
  }

  private async afterImport(sessionIds: string[]): Promise<void> {
    await Promise.all([this.sessions.refresh(), this.sessions.refreshHeld(), this.training.refresh()]);
    if (sessionIds.length > 0 && !this.turns.sessionId) await this.sessions.open(sessionIds[0]);
  }
}

