/**
 * The online loop (METHOD §1, §6–7): serving, signals and training as independent loops over the store.
 * A reply is never delayed by a judge call, a teacher pass or an update: next states are written first,
 * then queued; samples accumulate; every B samples one update publishes version n+1, which the policy
 * engine picks up between replies. Engines are workers in the page and plain objects in Node. The signal
 * queue (signal-queue.ts), failed updates (failed-updates.ts), environment steps (environment-steps.ts) and
 * which samples train (bounded-staleness.ts) are their own files.
 */
import type { Settings } from '../rl/settings.ts';
import type { NextState } from '../rl/judge/types.ts';
import type { EvaluativeRecord, DirectiveRecord, SampleRecord } from '../rl/records.ts';
import type { BackendChoice, CheckpointBlob, HfModelLocation, LoadedAdapter, ModelSource, PolicyEngineApi, SignalEngineApi, TrainerEngineApi, SignalResult, UpdateMetrics, ReplyResult, StreamedToken } from './protocol.ts';
import type { Message } from '../model/chat.ts';
import { turnKey } from './protocol.ts';
import type { RecordStore, SessionInfo, SessionKind, StoredSample, StoredTurn as StoreTurn } from '../store/types.ts';
import { sessionLog } from './session-log.ts';
import type { OverlapReport } from './protocol.ts';
import { VersionLineage } from './version-lineage.ts';
import { updateShapeOf } from '../model/adapter/update-memory.ts';
import { adapterManifest, loadAdapterVersion, updateMemory, versionManifest } from './adapter-versions.ts';
import { decodePeft, type PeftFiles } from '../model/adapter/peft.ts';
import { planBatch, prepareBatch, type BatchPlan } from './bounded-staleness.ts';
import { staleReason } from '../rl/staleness.ts';
import { FailedUpdates, reloadTrainer, type UpdateRetry } from './failed-updates.ts';
import { EnvironmentSteps, judgeKind } from './environment-steps.ts';
import { SignalQueue } from './signal-queue.ts';

/** A stored turn with the directive signal's numbers for the token inspector. */
export type StoredTurn = StoreTurn & { report?: OverlapReport | null };

export interface LoopEngines {
  policy: PolicyEngineApi;
  signal: SignalEngineApi;
  trainer: TrainerEngineApi;
  /**
   * Where the engines share few CPU cores (the page's workers: serving-gate.ts): whether the background (signals,
   * updates) yields to a decoding reply. The loop asks for it while the background keeps up, and not while
   * feedback backs up.
   */
  servingFirst?(on: boolean): void;
}

/** The background keeps up while at most this many next states wait for their signals (the one being worked included). */
const KEEPING_UP_SIGNALS = 1;

export interface QueueState {
  pendingSignals: number;
  /** Why signals are waiting (the judge is unreachable), or null. */
  judgeWaiting: string | null;
  pendingSamples: number;
  batchSize: number;
  updating: boolean;
  servingVersion: number;
  /** Samples kept `stale`, never trained (METHOD §7), and why, for the page. */
  staleSamples: number;
  staleReason: string;
  /** On a loaded model: what one update will need (stated before the first one), or null. */
  updateMemory: string | null;
  /** Why nothing trains (an update over the memory cap, full fine-tuning asked of a loaded model), or null. */
  trainingOff: string | null;
}

export interface LoopEvents {
  turn?(turn: StoredTurn): void;
  signal?(result: SignalResult): void;
  /** A new version serves: committed and published to the policy and signal engines (its drift metric still to come). */
  published?(version: number): void;
  /** An update's metrics, the drift to the frozen reference included (NaN when measuring it failed). */
  update?(metrics: UpdateMetrics): void;
  queue?(state: QueueState): void;
  /** An engine found the GPU gone and moved to another backend (the page tells the visitor why). */
  backend?(engine: 'policy' | 'signal' | 'trainer', choice: BackendChoice): void;
  /** Pending samples were marked stale (METHOD §7): their turns changed status. */
  stale?(sampleIds: string[]): void;
  /** An update failed on the same batch every time it was tried: its samples are set aside as `failed`. */
  failed?(sampleIds: string[], error: Error): void;
  /** `where` says which loop failed; the chat goes on. */
  error?(where: 'signal' | 'update' | 'store', error: Error): void;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** How often a waiting drift measurement looks whether the signal queue is empty. */
const DRIFT_POLL_MS = 50;

export class OnlineLoop {
  private servingVersion = 0;
  /** The serving version and its ancestors: samples up to maxStaleness of them behind may train (METHOD §7). */
  private readonly lineage = new VersionLineage((v) => versionManifest(this.store, v));
  private readonly signalQueue = new SignalQueue({
    signal: (job) => this.signalTurn(job.sessionId, job.turn),
    failed: async (job, error) => {
      this.events.error?.('signal', error);
      await this.write(async () => void (await this.store.updateTurn(job.sessionId, job.turn, { status: 'signals_done', error: error.message })));
    },
    changed: (turnDone) => {
      this.emitQueue();
      if (turnDone) void this.maybeUpdate();
    },
  });
  /** Signal time since the last update, reported with it. */
  private stageMs = { judgeMs: 0, teacherMs: 0, kernelMs: 0 };
  private updating: Promise<void> | null = null;
  /** Samples of the update running now (still `pending` in the store until it commits). */
  private inUpdate = 0;
  /** Drift measurements of published versions still running in the signal engine; each ends in its `update` event. */
  private readonly measuring = new Set<Promise<void>>();
  private readonly failedUpdates = new FailedUpdates();
  /** Samples kept `stale` in the store (counted at start, then as the loop marks them). */
  private staleSamples = 0;
  private readonly environmentSteps = new EnvironmentSteps();
  /** Set after a storage quota error: recording stops, the chat goes on. */
  recordingStopped: string | null = null;
  /**
   * Set when nothing can train: full fine-tuning asked of a loaded Hugging Face model, or an update over the
   * memory cap (cleared by a settings change). Signals are computed and samples recorded meanwhile.
   */
  trainingOff: string | null = null;
  /**
   * Set when the policy is a Hugging Face model (`start({ hf })`): a frozen base whose LoRA adapter trains
   * (issue 13); versions are adapters on it, and `adapter` says what the trainer served last.
   */
  private hf: { location: HfModelLocation; adapter: LoadedAdapter | null } | null = null;
  /** What one update will need on the loaded model, stated before the first one. */
  private updateMemoryLine: string | null = null;

  constructor(
    private readonly engines: LoopEngines,
    private readonly store: RecordStore,
    private settings: Settings,
    private readonly events: LoopEvents = {},
  ) {}

  get version(): number {
    return this.servingVersion;
  }

  /** Delays between retries while the judge is unreachable (signal-queue.ts); tests shorten them. */
  get retryMs(): { first: number; max: number } {
    return this.signalQueue.retryMs;
  }

  /** Delays and attempts of failed updates (failed-updates.ts); tests shorten them. */
  get updateRetry(): UpdateRetry {
    return this.failedUpdates.retry;
  }

  /**
   * Load the serving version (the shipped checkpoint the first time) into every engine and resume what a
   * closed tab left: turns whose next state arrived but were not judged, and samples not yet trained.
   */
  async start(initial: ModelSource): Promise<void> {
    if ('hf' in initial) return this.startHf(initial.hf);
    if (!(await this.store.getCheckpoint(0))) await this.store.putCheckpoint(0, initial.bytes, initial.manifest);
    const stored = await this.store.getServingVersion();
    const version = stored ?? 0;
    const stored_ = version > 0 ? await this.store.getCheckpoint(version) : undefined;
    const serving: CheckpointBlob = stored_ ? { bytes: stored_.bytes, manifest: stored_.manifest } : initial;
    this.servingVersion = serving === initial ? 0 : version;
    const optimizer = (await this.store.getOptimizer()) ?? null;
    this.lineage.reset(this.servingVersion, serving.manifest);
    await Promise.all([
      this.engines.policy.load(serving, this.servingVersion),
      this.engines.signal.load(initial, this.servingVersion > 0 ? { checkpoint: serving, version: this.servingVersion } : null),
      this.engines.trainer.load(initial, this.servingVersion > 0 ? serving : null, this.servingVersion, optimizer),
    ]);
    await this.resume();
  }

  /** What a closed tab left: turns whose next state arrived but were not judged are queued, and samples not yet trained make their update now. */
  private async resume(): Promise<void> {
    this.staleSamples = (await this.store.listSamples({ status: 'stale' })).length;
    for (const turn of await this.store.listTurns()) {
      if (turn.status === 'pending_signals') this.signalQueue.push({ sessionId: turn.session_id, turn: turn.turn });
    }
    this.emitQueue();
    void this.maybeUpdate();
  }

  /**
   * A Hugging Face model (issue 13): the frozen base in every engine, and the serving adapter version on it (a
   * fresh adapter, B = 0, saved as version 0 the first time). An adapter saved for another base is refused
   * before anything is served. Full fine-tuning is not offered on a loaded model: its samples are recorded only.
   */
  private async startHf(location: HfModelLocation): Promise<void> {
    const { policy, signal, trainer } = this.engines;
    if (!policy.loadHf || !signal.loadHf) throw new Error('these engines cannot serve a Hugging Face model');
    this.hf = { location, adapter: null };
    if (this.settings.finetune === 'full' || !trainer.loadHf) {
      await Promise.all([policy.loadHf(location, 0), signal.loadHf(location)]);
      this.servingVersion = 0;
      this.trainingOff = 'Full fine-tuning does not fit a loaded model in a tab (Adam alone triples its memory): set "Trains" to auto or lora to train an adapter. Samples are recorded, not trained.';
    } else {
      const version = (await this.store.getServingVersion()) ?? 0;
      await this.serveAdapter(version);
      if (!(await this.store.getAdapter(0))) {
        const fresh = this.hf.adapter!;
        await this.write(() => this.store.putAdapter({ version: 0, adapter: fresh.files, base: fresh.base, parentVersion: null }));
      }
      this.stateUpdateMemory();
    }
    await this.resume();
  }

  /**
   * Every engine on the loaded base with adapter version `version` (its saved Adam state if it is the newest's).
   * The trainer reads the adapter first: one saved for another base is refused and the engines keep what they had.
   */
  private async serveAdapter(version: number): Promise<void> {
    const { policy, signal, trainer } = this.engines;
    const hf = this.hf!;
    const { loaded, stored } = await loadAdapterVersion(this.store, trainer, hf.location, this.settings, version);
    await Promise.all([policy.loadHf!(hf.location, 0), signal.loadHf!(hf.location)]);
    // the adapter goes on top of the base in the policy and signal engines (version 0's B = 0: the base itself)
    if (version > 0) await Promise.all([policy.publish(loaded.weights), signal.publish(loaded.weights)]);
    hf.adapter = loaded;
    this.servingVersion = version;
    this.lineage.reset(version, adapterManifest(stored));
  }

  /** The memory line for the page: an update of B samples of 128 prompt + maxTokens reply tokens (the real shape is checked before each). */
  private stateUpdateMemory(): void {
    const adapter = this.hf?.adapter;
    if (!adapter) return;
    const batch = { samples: this.settings.batchSize, tokens: 128 + this.settings.maxTokens, logitRows: this.settings.maxTokens };
    this.updateMemoryLine = updateMemory(adapter, batch, this.settings).line;
  }

  setSettings(settings: Settings): void {
    this.settings = settings;
    // an update refused over the memory cap is weighed again with the new settings
    if (this.hf?.adapter) this.trainingOff = null;
    this.stateUpdateMemory();
    this.emitQueue();
    void this.maybeUpdate();
  }

  /**
   * Serve a saved version again (issue 5 rollback): the store's serving version, and every engine reloaded
   * from that checkpoint. Later versions stay saved; the next update gets a new number.
   */
  async rollback(version: number): Promise<void> {
    if (this.hf && !this.hf.adapter) throw new Error(this.trainingOff ?? 'no adapter is loaded');
    while (this.updating) await this.updating;
    if (this.hf) {
      await this.serveAdapter(version);
      await this.store.rollback(version);
      this.emitQueue();
      return;
    }
    const [target, initial, optimizer] = await Promise.all([this.store.getCheckpoint(version), this.store.getCheckpoint(0), this.store.getOptimizer()]);
    if (!target || !initial) throw new Error(`no saved checkpoint for version ${version}`);
    await this.store.rollback(version);
    const checkpoint: CheckpointBlob = { bytes: target.bytes, manifest: target.manifest };
    const first: CheckpointBlob = { bytes: initial.bytes, manifest: initial.manifest };
    await Promise.all([
      this.engines.policy.load(checkpoint, version),
      this.engines.signal.load(first, version > 0 ? { checkpoint, version } : null),
      this.engines.trainer.load(first, version > 0 ? checkpoint : null, version, optimizer ?? null),
    ]);
    this.servingVersion = version;
    this.lineage.reset(version, target.manifest);
    this.emitQueue();
  }

  /**
   * A PEFT adapter (adapter_model.safetensors + adapter_config.json, trained here or with PEFT elsewhere) as the
   * next version on the loaded base, served at once. Checked first against this base (name, checksum when the
   * file carries one, targets, every tensor's shape): a refused adapter changes nothing. It starts a new lineage
   * (no parent, fresh Adam): samples of earlier versions are not its own.
   */
  async importAdapter(files: PeftFiles): Promise<number> {
    const loaded = this.hf?.adapter;
    if (!loaded) throw new Error(this.hf ? (this.trainingOff ?? 'no adapter is loaded') : 'an adapter imports onto a loaded Hugging Face model; the built-in model trains every weight');
    decodePeft(files, loaded.model, loaded.base);
    while (this.updating) await this.updating;
    const version = Math.max(0, ...(await this.store.listCheckpointVersions())) + 1;
    await this.store.commitUpdate({ version, adapter: { adapter: files, base: loaded.base, parentVersion: null }, trainedSampleIds: [], metrics: { imported: true, timestamp: Date.now() } });
    await this.serveAdapter(version);
    this.emitQueue();
    return version;
  }

  /** A new session (a chat, or an episode of an environment), stored at once. */
  async newSession(title = 'New session', kind: SessionKind = 'chat'): Promise<SessionInfo> {
    const now = Date.now();
    const session: SessionInfo = { id: crypto.randomUUID(), title, createdAt: now, updatedAt: now, kind };
    await this.write(() => this.store.putSession(session));
    return session;
  }

  /**
   * The user's message: first the next state of the previous main turn (written, then queued for
   * signals), then the policy's reply, streamed through `onToken` and stored as the next main turn.
   * `system` opens a new session's context (an environment's announcement of its tools).
   */
  async send(sessionId: string, text: string, onToken?: (piece: string) => void, system?: string): Promise<StoredTurn> {
    const session = await this.store.getSession(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    const turns = await this.store.listTurns(sessionId);
    await this.recordNextState(sessionId, turns, { role: 'user', content: text });
    if (session.title === 'New session') await this.write(() => this.store.putSession({ ...session, title: text.slice(0, 48), updatedAt: Date.now() }));
    const log = sessionLog(turns).map(({ role, content }) => ({ role, content }));
    // An environment's system message (the tools it announces) opens the session's first context.
    if (log.length === 0 && system) log.push({ role: 'system', content: system });
    if (log.at(-1)?.role !== 'user' || log.at(-1)?.content !== text) log.push({ role: 'user', content: text });
    const reply: ReplyResult = await this.engines.policy.reply({ sessionId, messages: log, sampling: { temperature: this.settings.temperature, topP: this.settings.topP, maxTokens: this.settings.maxTokens } }, onToken);
    if (reply.fellBack) this.events.backend?.('policy', reply.fellBack);
    return this.recordReply(sessionId, turns.length + 1, reply);
  }

  /** A tool's output as the next state of the session's last main turn (environments). */
  async toolResult(sessionId: string, content: string): Promise<void> {
    await this.recordNextState(sessionId, await this.store.listTurns(sessionId), { role: 'tool', content });
  }

  /**
   * An agent's main request (the policy server): its messages are the reply's context, and its last message,
   * a `user` reply or a `tool` result, is the next state of the session's previous main turn (METHOD §1),
   * written before anything is computed from it. The session must exist.
   */
  async sendMessages(
    sessionId: string,
    messages: Message[],
    options: { onToken?: (piece: string, token: StreamedToken) => void; topLogprobs?: number; maxTokens?: number } = {},
  ): Promise<StoredTurn> {
    const turns = await this.store.listTurns(sessionId);
    const last = messages.at(-1);
    if (last?.role === 'user' || last?.role === 'tool') await this.recordNextState(sessionId, turns, { role: last.role, content: last.content });
    const maxTokens = Math.min(options.maxTokens ?? this.settings.maxTokens, this.settings.maxTokens);
    const sampling = { temperature: this.settings.temperature, topP: this.settings.topP, maxTokens };
    const reply = await this.engines.policy.reply({ sessionId, messages, sampling, topLogprobs: options.topLogprobs }, options.onToken);
    if (reply.fellBack) this.events.backend?.('policy', reply.fellBack);
    return this.recordReply(sessionId, turns.length + 1, reply);
  }

  /**
   * The agent's next step after a tool's output (environments): a reply to the session so far, which ends
   * with that `tool` message, stored as the next main turn.
   */
  async act(sessionId: string, onToken?: (piece: string) => void): Promise<StoredTurn> {
    const turns = await this.store.listTurns(sessionId);
    const log = sessionLog(turns).map(({ role, content }) => ({ role, content }));
    if (log.at(-1)?.role !== 'tool') throw new Error(`session ${sessionId} does not end with a tool result`);
    const reply: ReplyResult = await this.engines.policy.reply({ sessionId, messages: log, sampling: { temperature: this.settings.temperature, topP: this.settings.topP, maxTokens: this.settings.maxTokens } }, onToken);
    if (reply.fellBack) this.events.backend?.('policy', reply.fellBack);
    return this.recordReply(sessionId, turns.length + 1, reply);
  }

  /**
   * Ends a session: its last main turn gets `finalNextState` (the user's last word, which opens no new turn)
   * or, without one, can never have a next state and does not train (METHOD §1). An environment's episode
   * passes its `outcome` (the checker's ±1), which that last step's reward adds (METHOD §2).
   */
  async endSession(sessionId: string, finalNextState?: NextState, outcome?: number): Promise<void> {
    const turns = await this.store.listTurns(sessionId);
    if (outcome !== undefined && turns.length > 0) this.environmentSteps.ended(sessionId, turns[turns.length - 1].turn, outcome);
    if (finalNextState) return this.recordNextState(sessionId, turns, finalNextState);
    const last = turns.at(-1);
    if (last?.status === 'awaiting_next_state') await this.write(async () => void (await this.store.updateTurn(sessionId, last.turn, { status: 'no_sample' })));
  }

  /** Waits until every queued signal and the update they lead to are done (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      while (this.signalQueue.busy || this.updating || this.measuring.size > 0) {
        await (this.updating ?? new Promise((r) => setTimeout(r, 20)));
      }
      if (this.recordingStopped || this.trainingOff || (await this.store.listSamples({ status: 'pending' })).length < this.leastBatch()) return;
      await this.maybeUpdate();
    }
  }

  /** The next state of the session's last main turn, if it still awaits one: written first, then queued (METHOD §1). */
  private async recordNextState(sessionId: string, turns: StoredTurn[], nextState: NextState): Promise<void> {
    const last = turns.at(-1);
    if (!last || last.status !== 'awaiting_next_state') return;
    await this.write(async () => {
      const updated = await this.store.recordNextState(sessionId, last.turn, nextState);
      turns[turns.length - 1] = updated;
    });
    if (this.recordingStopped) return;
    this.signalQueue.push({ sessionId, turn: last.turn });
    this.emitQueue();
  }

  private async recordReply(sessionId: string, turnNumber: number, reply: ReplyResult): Promise<StoredTurn> {
    const turn: StoredTurn = {
      session_id: sessionId,
      turn: turnNumber,
      timestamp: Date.now(),
      messages: reply.contextMessages,
      prompt_text: reply.promptText,
      response_text: reply.text,
      tool_calls: [],
      next_state: null,
      policy_version: reply.policyVersion,
      prompt_ids: reply.promptIds,
      response_ids: reply.responseIds,
      response_logprobs: reply.responseLogprobs,
      status: 'awaiting_next_state',
    };
    await this.write(() => this.store.putTurn(turn));
    this.events.turn?.(turn);
    return turn;
  }

  private async signalTurn(sessionId: string, turnNumber: number): Promise<void> {
    const turn = await this.store.getTurn(sessionId, turnNumber);
    if (!turn || !turn.next_state || turn.status !== 'pending_signals') return;
    const kind = judgeKind(await this.store.getSession(sessionId));
    const environment = this.environmentSteps.judgeContext(kind, sessionId, turnNumber, turn.messages);
    const result = await this.engines.signal.process(
      {
        sessionId, turn: turnNumber, kind, messages: turn.messages, reply: turn.response_text, nextState: turn.next_state,
        promptIds: turn.prompt_ids, responseIds: turn.response_ids, responseLogprobs: turn.response_logprobs, policyVersion: turn.policy_version,
        ...environment,
      },
      this.settings,
    );
    this.environmentSteps.judged(sessionId, turnNumber);
    if (result.fellBack) this.events.backend?.('signal', result.fellBack);
    for (const key of ['judgeMs', 'teacherMs', 'kernelMs'] as const) this.stageMs[key] += result.timings[key];
    const evaluative: EvaluativeRecord = { session_id: sessionId, turn: turnNumber, score: result.evaluative.score, votes: result.evaluative.votes as EvaluativeRecord['votes'] };
    const directive: DirectiveRecord = { session_id: sessionId, turn: turnNumber, ...result.directive };
    await this.write(async () => {
      await this.store.putJudge(evaluative);
      await this.store.putJudge(directive);
      if (result.sample) await this.store.putSample({ ...result.sample, id: turnKey(sessionId, turnNumber), status: 'pending' });
      const updated: StoredTurn = { ...turn, status: result.sample ? 'sampled' : 'no_sample', report: result.report };
      await this.store.putTurn(updated);
    });
    this.events.signal?.(result);
  }

  /**
   * Every B pending samples (or, with `batchFill: 'pending'`, whatever is pending once the trainer is free):
   * one update, committed atomically, then published (METHOD §6–7). Samples up to `maxStaleness` versions
   * behind the policy being trained train (beyond one, recomputed with its weights and weighted by the
   * behaviour importance weight); older ones, and those of versions a rollback left behind, are kept as
   * `stale` and never trained.
   */
  private async maybeUpdate(): Promise<void> {
    if (this.updating || this.recordingStopped || this.trainingOff) return;
    const least = this.leastBatch();
    const pending = await this.store.listSamples({ status: 'pending' });
    if (pending.length < least || this.updating) return;
    const lineage = await this.lineage.ancestors(this.settings.maxStaleness);
    if (this.updating) return;
    const plan = planBatch(pending, lineage, this.settings);
    if (!(await this.markStale(plan.staleIds))) return;
    if (plan.batch.length < least) return;
    if (this.refusedForMemory(plan.batch.map((b) => b.sample))) return;
    this.inUpdate = plan.batch.length;
    this.updating = (async () => {
      this.emitQueue();
      try {
        await this.update(plan);
      } catch (e) {
        const error = asError(e);
        this.events.error?.('update', error);
        await this.failedUpdates.recover(plan.batch.map((b) => b.sample.id), error, {
          reloadTrainer: () => this.reloadTrainer(),
          setAside: (ids, reason) => this.write(() => this.store.markFailed(ids, reason)),
          error: (where, e) => this.events.error?.(where, e),
          failed: (ids, e) => this.events.failed?.(ids, e),
        });
      } finally {
        this.updating = null;
        this.inUpdate = 0;
        this.emitQueue();
      }
    })();
    await this.updating;
    void this.maybeUpdate();
  }

  /** The fewest trainable samples an update starts with: B, or 1 when batches take whatever is pending. */
  private leastBatch(): number {
    return this.settings.batchFill === 'pending' ? 1 : this.settings.batchSize;
  }

  /**
   * One update of the planned batch. The order is the data-safety rule: a version is published (serves
   * replies, which record its number) only after `commitUpdate` has made its checkpoint, its number, the
   * serving pointer and its trained samples durable in one transaction. Published first, a crash before the
   * commit would leave replies recorded under a number no checkpoint holds, and the next update would take
   * that number for other weights. The drift metric (two forward passes) is measured after publishing, by the
   * signal engine (which holds the published and the frozen policy), so neither serving nor the next update
   * waits on it; the stored metrics get it then.
   */
  private async update(plan: BatchPlan): Promise<void> {
    const started = performance.now();
    const from = this.servingVersion;
    const prepared = await prepareBatch(plan, from, this.settings, this.engines, async (s) => (await this.store.getTurn(s.session_id, s.turn))?.messages ?? []);
    if (prepared.fellBack) this.events.backend?.(prepared.fellBack.engine, prepared.fellBack.choice);
    if (!(await this.markStale(prepared.staleIds)) || prepared.samples.length === 0) return;
    const proximalMs = performance.now() - started;
    // Versions are never reused, also after a rollback to an older one.
    const version = Math.max(0, ...(await this.store.listCheckpointVersions())) + 1;
    const trainStart = performance.now();
    const result = await this.engines.trainer.update(prepared.samples, this.settings, version);
    const trainMs = performance.now() - trainStart;
    Object.assign(result.metrics, this.stageMs, { proximalMs, proximalRescored: prepared.rescored, trainMs });
    this.stageMs = { judgeMs: 0, teacherMs: 0, kernelMs: 0 };
    if (result.fellBack) this.events.backend?.('trainer', result.fellBack);
    const { version: _v, ...metrics } = result.metrics;
    const saved = result.adapter && result.base
      ? { adapter: { adapter: result.adapter, base: result.base, parentVersion: from } }
      : result.checkpoint ? { checkpoint: result.checkpoint } : null;
    if (!saved) throw new Error(`the trainer returned version ${result.version} without its weights`);
    const commitStart = performance.now();
    await this.write(() => this.store.commitUpdate({ version: result.version, ...saved, optimizer: result.optimizer, trainedSampleIds: result.trainedSamples, metrics }));
    const commitMs = performance.now() - commitStart;
    this.lineage.advance(result.version);
    this.servingVersion = result.version;
    const published = { version: result.version, weights: result.weights, adapter: result.adapterConfig };
    const publishStart = performance.now();
    await Promise.all([this.engines.policy.publish(published), this.engines.signal.publish(published)]);
    const publishMs = performance.now() - publishStart;
    this.failedUpdates.succeeded();
    this.events.published?.(result.version);
    const measured = this.measureDrift(prepared.samples, result.metrics, { commitMs, publishMs });
    this.measuring.add(measured);
    void measured.finally(() => this.measuring.delete(measured));
  }

  /**
   * The published version's drift, stored with its metrics, then its `update` event. A metric, so it yields: it
   * waits while turns wait for their signals (the signal engine works those first), and a version that a newer
   * one replaced meanwhile keeps no drift (NaN; the newer one's is measured).
   */
  private async measureDrift(samples: SampleRecord[], metrics: Omit<UpdateMetrics, 'klToFrozen'>, stages: { commitMs: number; publishMs: number }): Promise<void> {
    const started = performance.now();
    while (this.signalQueue.busy && this.servingVersion === metrics.version) await new Promise((r) => setTimeout(r, DRIFT_POLL_MS));
    const klToFrozen = this.servingVersion === metrics.version ? await this.drift(samples, metrics.version) : NaN;
    const stored = { ...metrics, klToFrozen };
    try {
      if (Number.isFinite(klToFrozen)) await this.write(() => this.store.putMetrics(stored));
    } catch (e) {
      // The update is committed and serving (not to be retried): its stored metrics only lack the drift.
      this.events.error?.('store', asError(e));
    }
    this.events.update?.({ ...stored, ...stages, driftMs: performance.now() - started });
  }

  /** The drift metric of a published version; NaN (and an error event) when the signal engine could not measure it. */
  private async drift(samples: SampleRecord[], version: number): Promise<number> {
    try {
      const drift = await this.engines.signal.drift(samples, this.settings);
      if (drift.fellBack) this.events.backend?.('signal', drift.fellBack);
      if (drift.version !== version) throw new Error(`the drift of v${version} was measured on v${drift.version}`);
      return drift.klToFrozen;
    } catch (e) {
      // The version is committed and serving: only its metric is missing.
      this.events.error?.('update', asError(e));
      return NaN;
    }
  }

  /**
   * On a loaded model, an update whose estimated memory (update-memory.ts) is over the `updateMemoryMb` cap, or
   * whose logits exceed the trainer's GPU buffer limit, is not run: the reason, with the numbers, stops training
   * until the settings change; the chat goes on.
   */
  private refusedForMemory(samples: readonly { prompt_ids: number[]; response_ids: number[] }[]): boolean {
    const adapter = this.hf?.adapter;
    if (!adapter) return false;
    const { refusal } = updateMemory(adapter, updateShapeOf(samples), this.settings);
    if (!refusal) return false;
    this.trainingOff = refusal;
    this.events.error?.('update', new Error(refusal));
    this.emitQueue();
    return true;
  }

  /** Loads the trainer at the serving version: the saved adapter on a loaded base, else the version's checkpoint. */
  private async reloadTrainer(): Promise<void> {
    const version = this.servingVersion;
    if (!this.hf) return reloadTrainer(this.store, this.engines.trainer, version);
    this.hf.adapter = (await loadAdapterVersion(this.store, this.engines.trainer, this.hf.location, this.settings, version)).loaded;
  }

  /** The visitor retries samples an update failed on: pending again, tried in the next batch. */
  async retryFailed(): Promise<number> {
    const ids = (await this.store.listSamples({ status: 'failed' })).map((s) => s.id);
    if (ids.length > 0) await this.write(() => this.store.retryFailed(ids));
    void this.maybeUpdate();
    return ids.length;
  }

  /**
   * The visitor asks to train on imported samples (`foreign`): they become pending as samples of the serving
   * version (their own version numbers were another browser's), their behaviour log-probs as recorded.
   */
  async trainImported(): Promise<number> {
    const ids = (await this.store.listSamples({ status: 'foreign' })).map((s) => s.id);
    if (ids.length > 0) await this.write(() => this.store.adoptImported(ids, this.servingVersion));
    void this.maybeUpdate();
    return ids.length;
  }

  /** Marks pending samples `stale` (METHOD §7) and tells the page; false when recording has stopped. */
  private async markStale(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    await this.write(() => this.store.markStale(ids));
    if (this.recordingStopped) return false;
    this.staleSamples += ids.length;
    this.events.stale?.(ids);
    this.emitQueue();
    return true;
  }

  /**
   * Whether the background keeps up, so serving may go first: at most one next state waits for its signals, no
   * whole batch waits for the trainer besides the one training, and no pending sample is within one update of
   * going stale (METHOD §7).
   */
  private keepingUp(pending: readonly StoredSample[]): boolean {
    const atRisk = pending.some((s) => this.servingVersion - s.policy_version >= this.settings.maxStaleness - 1);
    return !atRisk && this.signalQueue.length <= KEEPING_UP_SIGNALS && pending.length - this.inUpdate < this.settings.batchSize;
  }

  /** The queue's state to the page, and whether serving may go first (the background keeps up). */
  private emitQueue(): void {
    if (!this.events.queue && !this.engines.servingFirst) return;
    void this.store.listSamples({ status: 'pending' }).then((pending) => {
      this.engines.servingFirst?.(this.keepingUp(pending));
      this.events.queue?.({
        pendingSignals: this.signalQueue.length,
        judgeWaiting: this.signalQueue.judgeWaiting,
        pendingSamples: pending.length,
        batchSize: this.settings.batchSize,
        updating: this.updating !== null,
        servingVersion: this.servingVersion,
        staleSamples: this.staleSamples,
        staleReason: staleReason(this.settings.maxStaleness),
        updateMemory: this.updateMemoryLine,
        trainingOff: this.trainingOff,
      });
    });
  }

  /** Store writes: a quota error stops recording (with the store's message); nothing written before is lost. */
  private async write(work: () => Promise<void>): Promise<void> {
    if (this.recordingStopped) return;
    try {
      await work();
    } catch (e) {
      const error = asError(e);
      if (error.name === 'StorageQuotaError') {
        this.recordingStopped = error.message;
        this.events.error?.('store', error);
        return;
      }
      throw error;
    }
  }
}
