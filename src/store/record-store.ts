/**
 * `RecordStore` written once over a transactional key-value backend (`backend.ts`); `IndexedDbStore` and
 * `MemoryStore` differ only in the backend. Every method is one transaction; every write turns a quota
 * refusal into `StorageQuotaError`.
 */
import type { CheckpointManifest } from '../model/checkpoint.ts';
import type { NextState } from '../rl/judge/types.ts';
import type { RecordLimits } from '../rl/record-validate.ts';
import type { KeyValueBackend, ReadTx, WriteTx } from './backend.ts';
import { asStoreError, SecretRefusedError, StoreConflictError } from './errors.ts';
import { buildExport } from './export.ts';
import { parseExport } from './import.ts';
import { keys } from './keys.ts';
import { migrate } from './migrations.ts';
import { secretFieldPaths } from './secrets.ts';
import type { ImportResult, JudgeRecord, OutgoingMessage, RecordStore, SampleStatus, SessionExport, SessionInfo, StoredAdapter, StoredCheckpoint,
  SavedOptimizer, StoredSample, StoredTurn, StoredVersion, TurnUpdate, UpdateCommit, UpdateMetrics } from './types.ts';

const values = async <T>(tx: ReadTx, prefix: (string | number)[]) => (await tx.entries<T>(prefix)).map(([, v]) => v);
const signalOf = (r: JudgeRecord) => ('accepted' in r ? 'directive' : 'evaluative');
const turnLabel = (sessionId: string, turn: number) => `turn ${turn} of session "${sessionId}"`;

/** A copy that owns exactly its bytes (IndexedDB would otherwise clone a view's whole underlying buffer). */
const ownBytes = (bytes: Uint8Array) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());

/** An adapter version as stored: its weights' bytes owned, the rest as given. */
const adapterRecord = (version: number, a: Omit<StoredAdapter, 'version'>): StoredAdapter => ({
  version,
  adapter: { weights: ownBytes(a.adapter.weights), config: a.adapter.config },
  base: { name: a.base.name, revision: a.base.revision, sha256: a.base.sha256 },
  parentVersion: a.parentVersion,
});

/** The next-state statuses in which the next state may still be written or replaced. */
const BEFORE_SIGNALS = new Set<StoredTurn['status']>(['awaiting_next_state', 'pending_signals']);

export class KeyValueRecordStore implements RecordStore {
  protected constructor(protected readonly backend: KeyValueBackend) {}

  /** Runs the layout migrations (`migrations.ts`); call once before use. */
  protected async migrate(): Promise<void> {
    await this.write('the store layout', (tx) => migrate(tx));
  }

  private async write<T>(what: string, work: (tx: WriteTx) => Promise<T>): Promise<T> {
    try {
      return await this.backend.write(work);
    } catch (error) {
      throw asStoreError(error, what);
    }
  }

  private async turnOf(tx: ReadTx, sessionId: string, turn: number): Promise<StoredTurn> {
    const found = await tx.get<StoredTurn>(keys.turn(sessionId, turn));
    if (!found) throw new StoreConflictError(`There is no ${turnLabel(sessionId, turn)}.`);
    return found;
  }

  // Sessions

  putSession(session: SessionInfo): Promise<void> {
    return this.write(`session "${session.id}"`, async (tx) => tx.put(keys.session(session.id), session));
  }

  getSession(id: string): Promise<SessionInfo | undefined> {
    return this.backend.read((tx) => tx.get<SessionInfo>(keys.session(id)));
  }

  async listSessions(): Promise<SessionInfo[]> {
    const sessions = await this.backend.read((tx) => values<SessionInfo>(tx, ['session']));
    return sessions.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  renameSession(id: string, title: string): Promise<SessionInfo> {
    return this.write(`the title of session "${id}"`, async (tx) => {
      const session = await tx.get<SessionInfo>(keys.session(id));
      if (!session) throw new StoreConflictError(`There is no session "${id}".`);
      const renamed = { ...session, title, updatedAt: Math.max(Date.now(), session.updatedAt) };
      tx.put(keys.session(id), renamed);
      return renamed;
    });
  }

  deleteSession(id: string): Promise<void> {
    return this.write(`the deletion of session "${id}"`, async (tx) => {
      tx.delete(keys.session(id));
      for (const key of [...(await tx.keys(['turn', id])), ...(await tx.keys(['judge', id]))]) tx.delete(key);
      for (const [key, sample] of await tx.entries<StoredSample>(['sample'])) if (sample.session_id === id) tx.delete(key);
      for (const [key, message] of await tx.entries<OutgoingMessage>(['outgoing'])) if (message.session_id === id) tx.delete(key);
    });
  }

  // Turns and next states

  putTurn(turn: StoredTurn): Promise<void> {
    return this.write(turnLabel(turn.session_id, turn.turn), async (tx) => {
      const session = await tx.get<SessionInfo>(keys.session(turn.session_id));
      if (!session) throw new StoreConflictError(`There is no session "${turn.session_id}" for turn ${turn.turn}.`);
      tx.put(keys.turn(turn.session_id, turn.turn), turn);
      if (turn.timestamp > session.updatedAt) tx.put(keys.session(session.id), { ...session, updatedAt: turn.timestamp });
    });
  }

  getTurn(sessionId: string, turn: number): Promise<StoredTurn | undefined> {
    return this.backend.read((tx) => tx.get<StoredTurn>(keys.turn(sessionId, turn)));
  }

  listTurns(sessionId?: string): Promise<StoredTurn[]> {
    return this.backend.read((tx) => values<StoredTurn>(tx, sessionId === undefined ? ['turn'] : ['turn', sessionId]));
  }

  updateTurn(sessionId: string, turn: number, update: TurnUpdate): Promise<StoredTurn> {
    return this.write(turnLabel(sessionId, turn), async (tx) => {
      const updated = { ...(await this.turnOf(tx, sessionId, turn)), ...update };
      tx.put(keys.turn(sessionId, turn), updated);
      return updated;
    });
  }

  /** METHOD §1: the next state is durable before this resolves, so no signal is computed from a lost one. */
  recordNextState(sessionId: string, turn: number, nextState: NextState): Promise<StoredTurn> {
    return this.write(`the next state of ${turnLabel(sessionId, turn)}`, async (tx) => {
      const stored = await this.turnOf(tx, sessionId, turn);
      const same = stored.next_state?.role === nextState.role && stored.next_state?.content === nextState.content;
      if (same) return stored;
      if (!BEFORE_SIGNALS.has(stored.status)) {
        throw new StoreConflictError(`The next state of ${turnLabel(sessionId, turn)} is final: its signals are done (${stored.status}).`);
      }
      const updated: StoredTurn = { ...stored, next_state: { role: nextState.role, content: nextState.content }, status: 'pending_signals' };
      tx.put(keys.turn(sessionId, turn), updated);
      return updated;
    });
  }

  // Judge records and samples

  putJudge(record: JudgeRecord): Promise<void> {
    return this.write(`the ${signalOf(record)} judge record of ${turnLabel(record.session_id, record.turn)}`, async (tx) => {
      await this.turnOf(tx, record.session_id, record.turn);
      tx.put(keys.judge(record.session_id, record.turn, signalOf(record)), record);
    });
  }

  listJudges(sessionId?: string): Promise<JudgeRecord[]> {
    return this.backend.read((tx) => values<JudgeRecord>(tx, sessionId === undefined ? ['judge'] : ['judge', sessionId]));
  }

  putSample(sample: StoredSample): Promise<void> {
    return this.write(`sample "${sample.id}"`, async (tx) => {
      await this.turnOf(tx, sample.session_id, sample.turn);
      tx.put(keys.sample(sample.id), sample);
    });
  }

  async listSamples(filter: { status?: SampleStatus; sessionId?: string } = {}): Promise<StoredSample[]> {
    const samples = await this.backend.read((tx) => values<StoredSample>(tx, ['sample']));
    return samples.filter((s) => (filter.status === undefined || s.status === filter.status) &&
      (filter.sessionId === undefined || s.session_id === filter.sessionId));
  }

  // Metrics, checkpoints and the serving version

  putMetrics(metrics: UpdateMetrics): Promise<void> {
    return this.write(`the metrics of version ${metrics.version}`, async (tx) => tx.put(keys.metrics(metrics.version), metrics));
  }

  listMetrics(): Promise<UpdateMetrics[]> {
    return this.backend.read((tx) => values<UpdateMetrics>(tx, ['metrics']));
  }

  putCheckpoint(version: number, bytes: Uint8Array, manifest: CheckpointManifest): Promise<void> {
    return this.write(`checkpoint version ${version}`, async (tx) => {
      tx.put(keys.checkpoint(version), { version, bytes: ownBytes(bytes), manifest } satisfies StoredCheckpoint);
    });
  }

  async getCheckpoint(version: number): Promise<StoredCheckpoint | undefined> {
    const stored = await this.backend.read((tx) => tx.get<StoredVersion>(keys.checkpoint(version)));
    return stored && 'bytes' in stored ? stored : undefined;
  }

  putAdapter(adapter: StoredAdapter): Promise<void> {
    return this.write(`adapter version ${adapter.version}`, async (tx) => {
      if ((await tx.keys(['checkpoint', adapter.version])).length > 0) throw new StoreConflictError(`Version ${adapter.version} is already saved.`);
      tx.put(keys.checkpoint(adapter.version), adapterRecord(adapter.version, adapter));
    });
  }

  async getAdapter(version: number): Promise<StoredAdapter | undefined> {
    const stored = await this.backend.read((tx) => tx.get<StoredVersion>(keys.checkpoint(version)));
    return stored && 'adapter' in stored ? stored : undefined;
  }

  async listCheckpointVersions(): Promise<number[]> {
    const found = await this.backend.read((tx) => tx.keys(['checkpoint']));
    return found.map((key) => (key as [string, number])[1]);
  }

  deleteCheckpoint(version: number): Promise<void> {
    return this.write(`the deletion of checkpoint version ${version}`, async (tx) => {
      if ((await tx.get<number>(keys.serving())) === version) {
        throw new StoreConflictError(`Version ${version} is being served; serve another before deleting it.`);
      }
      tx.delete(keys.checkpoint(version));
    });
  }

  getServingVersion(): Promise<number | undefined> {
    return this.backend.read((tx) => tx.get<number>(keys.serving()));
  }

  setServingVersion(version: number): Promise<void> {
    return this.write(`the serving version ${version}`, async (tx) => {
      if ((await tx.keys(['checkpoint', version])).length === 0) throw new StoreConflictError(`No checkpoint of version ${version} is saved.`);
      tx.put(keys.serving(), version);
    });
  }

  commitUpdate(update: UpdateCommit): Promise<void> {
    const { version } = update;
    return this.write(`the update to version ${version}`, async (tx) => {
      if ((await tx.keys(['checkpoint', version])).length > 0) throw new StoreConflictError(`Version ${version} is already saved.`);
      for (const id of update.trainedSampleIds) {
        const sample = await tx.get<StoredSample>(keys.sample(id));
        if (!sample) throw new StoreConflictError(`Update ${version} names sample "${id}", which is not stored.`);
        if (sample.status !== 'pending') throw new StoreConflictError(`Sample "${id}" was already trained in update ${sample.trained_in_update}.`);
        tx.put(keys.sample(id), { ...sample, status: 'trained', trained_in_update: version } satisfies StoredSample);
        const turn = await tx.get<StoredTurn>(keys.turn(sample.session_id, sample.turn));
        if (turn) tx.put(keys.turn(turn.session_id, turn.turn), { ...turn, status: 'trained', trained_in_update: version } satisfies StoredTurn);
      }
      if (update.adapter) tx.put(keys.checkpoint(version), adapterRecord(version, update.adapter));
      else tx.put(keys.checkpoint(version), { version, bytes: ownBytes(update.checkpoint.bytes), manifest: update.checkpoint.manifest } satisfies StoredCheckpoint);
      tx.put(keys.metrics(version), { ...update.metrics, version } satisfies UpdateMetrics);
      tx.put(keys.serving(), version);
      if (update.optimizer) tx.put(keys.optimizer(), { version: update.optimizer.version, bytes: ownBytes(update.optimizer.bytes) } satisfies SavedOptimizer);
    });
  }

  getOptimizer(): Promise<SavedOptimizer | undefined> {
    return this.backend.read((tx) => tx.get<SavedOptimizer>(keys.optimizer()));
  }

  markStale(sampleIds: readonly string[]): Promise<void> {
    return this.changeSamples(`${sampleIds.length} stale samples`, sampleIds, 'pending', (s) => ({ ...s, status: 'stale' }), 'stale');
  }

  markFailed(sampleIds: readonly string[], error: string): Promise<void> {
    return this.changeSamples(`${sampleIds.length} failed samples`, sampleIds, 'pending', (s) => ({ ...s, status: 'failed', error }));
  }

  retryFailed(sampleIds: readonly string[]): Promise<void> {
    return this.changeSamples(`${sampleIds.length} samples to retry`, sampleIds, 'failed', ({ error: _e, ...s }) => ({ ...s, status: 'pending' }));
  }

  adoptImported(sampleIds: readonly string[], policyVersion: number): Promise<void> {
    return this.changeSamples(`${sampleIds.length} imported samples`, sampleIds, 'foreign', (s) => ({ ...s, status: 'pending', policy_version: policyVersion }));
  }

  /** One transaction: each sample, which must be `from`, changed; its turn gets `turnStatus` if given. */
  private changeSamples(what: string, sampleIds: readonly string[], from: SampleStatus, change: (s: StoredSample) => StoredSample,
    turnStatus?: StoredTurn['status']): Promise<void> {
    return this.write(what, async (tx) => {
      for (const id of sampleIds) {
        const sample = await tx.get<StoredSample>(keys.sample(id));
        if (!sample) throw new StoreConflictError(`Sample "${id}" is not stored.`);
        if (sample.status !== from) throw new StoreConflictError(`Sample "${id}" is ${sample.status}, not ${from}.`);
        tx.put(keys.sample(id), change(sample));
        if (!turnStatus) continue;
        const turn = await tx.get<StoredTurn>(keys.turn(sample.session_id, sample.turn));
        if (turn) tx.put(keys.turn(turn.session_id, turn.turn), { ...turn, status: turnStatus } satisfies StoredTurn);
      }
    });
  }

  rollback(version: number): Promise<void> {
    return this.setServingVersion(version);
  }

  // Settings

  // Messages to a remote policy server (issue 16)

  queueOutgoing(message: OutgoingMessage): Promise<void> {
    return this.write(`the message to the policy server in session "${message.session_id}"`, async (tx) => {
      if (!(await tx.get<SessionInfo>(keys.session(message.session_id)))) throw new StoreConflictError(`There is no session "${message.session_id}".`);
      tx.put(keys.outgoing(message.queued_at, message.id), message);
    });
  }

  listOutgoing(): Promise<OutgoingMessage[]> {
    return this.backend.read((tx) => values<OutgoingMessage>(tx, ['outgoing']));
  }

  recordRemoteReply(message: OutgoingMessage, turn: StoredTurn): Promise<void> {
    return this.write(`the policy server's reply, ${turnLabel(turn.session_id, turn.turn)}`, async (tx) => {
      const key = keys.outgoing(message.queued_at, message.id);
      if (!(await tx.get<OutgoingMessage>(key))) throw new StoreConflictError(`The message "${message.id}" was already answered.`);
      const session = await tx.get<SessionInfo>(keys.session(turn.session_id));
      if (!session) throw new StoreConflictError(`There is no session "${turn.session_id}" for turn ${turn.turn}.`);
      const previous = await tx.get<StoredTurn>(keys.turn(turn.session_id, turn.turn - 1));
      if (previous && !previous.next_state) tx.put(keys.turn(turn.session_id, turn.turn - 1), { ...previous, next_state: { role: 'user', content: message.content } });
      tx.delete(key);
      tx.put(keys.turn(turn.session_id, turn.turn), turn);
      if (turn.timestamp > session.updatedAt) tx.put(keys.session(session.id), { ...session, updatedAt: turn.timestamp });
    });
  }

  getSettings<T = unknown>(): Promise<T | undefined> {
    return this.backend.read((tx) => tx.get<T>(keys.settings()));
  }

  putSettings(settings: object): Promise<void> {
    const secrets = secretFieldPaths(settings);
    if (secrets.length > 0) return Promise.reject(new SecretRefusedError(secrets));
    return this.write('the settings', async (tx) => tx.put(keys.settings(), settings));
  }

  // Export and import

  async exportSessions(sessionIds?: string[]): Promise<SessionExport> {
    const records = await this.backend.read(async (tx) => {
      const all = await values<SessionInfo>(tx, ['session']);
      const wanted = sessionIds === undefined ? all : all.filter((s) => sessionIds.includes(s.id));
      const missing = (sessionIds ?? []).filter((id) => !all.some((s) => s.id === id));
      if (missing.length > 0) throw new StoreConflictError(`Cannot export unknown session(s): ${missing.join(', ')}.`);
      const turns: StoredTurn[] = [];
      const judges: JudgeRecord[] = [];
      for (const s of wanted) {
        turns.push(...(await values<StoredTurn>(tx, ['turn', s.id])));
        judges.push(...(await values<JudgeRecord>(tx, ['judge', s.id])));
      }
      const ids = new Set(wanted.map((s) => s.id));
      const samples = (await values<StoredSample>(tx, ['sample'])).filter((s) => ids.has(s.session_id));
      return { sessions: wanted, turns, judges, samples };
    });
    return buildExport(records);
  }

  /** Sessions whose id is taken here are imported under a new id (reported in `renamed`); so are colliding sample ids. */
  async importSessions(files: Partial<Record<string, string>>, limits: RecordLimits): Promise<ImportResult> {
    const plan = parseExport(files, limits);
    return this.write(`the import of ${plan.sessions.length} session(s)`, async (tx) => {
      const renamed: Record<string, string> = {};
      const idOf = new Map<string, string>();
      for (const s of plan.sessions) {
        const taken = (await tx.keys(['session', s.id])).length > 0;
        const id = taken ? `${s.id}-${crypto.randomUUID().slice(0, 8)}` : s.id;
        if (taken) renamed[s.id] = id;
        idOf.set(s.id, id);
      }
      const sessions = plan.sessions.map((s) => ({ ...s, id: idOf.get(s.id)! }));
      for (const s of sessions) tx.put(keys.session(s.id), s);
      for (const t of plan.turns) tx.put(keys.turn(idOf.get(t.session_id)!, t.turn), { ...t, session_id: idOf.get(t.session_id)! });
      for (const j of plan.judges) tx.put(keys.judge(idOf.get(j.session_id)!, j.turn, signalOf(j)), { ...j, session_id: idOf.get(j.session_id)! });
      for (const s of plan.samples) {
        const taken = (await tx.keys(['sample', s.id])).length > 0;
        const id = taken ? `${s.id}-${crypto.randomUUID().slice(0, 8)}` : s.id;
        tx.put(keys.sample(id), { ...s, id, session_id: idOf.get(s.session_id)! });
      }
      return { sessions, renamed, counts: { turns: plan.turns.length, judges: plan.judges.length, samples: plan.samples.length } };
    });
  }
}
