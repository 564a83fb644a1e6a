/**
 * The store's records and its one interface, `RecordStore` (issue 5 "Store"). Turn, judge and sample records
 * are the method's own (`../rl/records.ts`, METHOD §8) plus the few fields the online loop needs.
 * Implemented over IndexedDB (`IndexedDbStore`, browser) and over memory (`MemoryStore`, Node).
 */
import type { CheckpointManifest } from '../model/checkpoint.ts';
import type { NextState } from '../rl/judge/types.ts';
import type { DirectiveRecord, EvaluativeRecord, SampleRecord, TurnRecord } from '../rl/records.ts';
import type { RecordLimits } from '../rl/record-validate.ts';
import type { BaseModelIdentity, PeftFiles } from '../model/adapter/peft.ts';

/** Personal chat, or an environment episode (METHOD §2). */
export type SessionKind = 'chat' | 'terminal' | 'tool-call' | 'gui' | 'swe';
export const SESSION_KINDS: readonly SessionKind[] = ['chat', 'terminal', 'tool-call', 'gui', 'swe'];

/** One conversation or episode (METHOD §1). Times are Unix milliseconds. */
export interface SessionInfo {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  kind: SessionKind;
}

/**
 * Where a main turn is in the loop: waiting for its next state (METHOD §1); next state recorded, judges and
 * teacher to run; signals done; no sample (METHOD §6 "neither"); sample queued; trained in an update.
 */
export type TurnStatus = 'awaiting_next_state' | 'pending_signals' | 'signals_done' | 'no_sample' | 'sampled' | 'trained' | 'stale';
export const TURN_STATUSES: readonly TurnStatus[] = ['awaiting_next_state', 'pending_signals', 'signals_done', 'no_sample', 'sampled', 'trained', 'stale'];

/**
 * A visitor's message to a remote policy server (issue 16), written before it is sent and removed in the
 * transaction that records the answer: a closed tab or a server busy syncing weights loses nothing, and a
 * message is answered once.
 */
export interface OutgoingMessage {
  id: string;
  session_id: string;
  content: string;
  /** When it was written; messages are sent in this order. */
  queued_at: number;
}

/** A main turn as stored: the METHOD §8 turn record (next state null until it arrives) and the loop's fields. */
export interface StoredTurn extends Omit<TurnRecord, 'next_state'> {
  next_state: NextState | null;
  /** The policy version that wrote the reply (METHOD §7). */
  policy_version: number;
  prompt_ids: number[];
  response_ids: number[];
  /** The sampling policy's log-prob of each response token. */
  response_logprobs: number[];
  status: TurnStatus;
  /** The version whose update trained on this turn. */
  trained_in_update?: number;
  /** Why the loop gave up on this turn's signals, for the visitor. */
  error?: string;
  /** A remote policy's reply (issue 16): the server's tokens, aligned with `response_logprobs`; absent when it sent no log-probs. */
  response_tokens?: string[];
}

/** The fields of a stored turn the loop changes after writing it. */
export type TurnUpdate = Partial<Pick<StoredTurn, 'status' | 'trained_in_update' | 'error'>>;

/** An evaluative (METHOD §2) or directive (METHOD §3) judge record; `'accepted' in r` tells them apart. */
export type JudgeRecord = EvaluativeRecord | DirectiveRecord;

/**
 * `stale`: written by a policy more than `maxStaleness` versions behind the one being trained, or by a version
 * a rollback left behind (METHOD §7), so never trained. `failed`: an update failed on its batch every time it was tried; set aside with the error so the
 * next batch trains (`retryFailed` queues it again). `foreign`: imported; its version number is another
 * browser's (METHOD §7 cannot place it), so it trains only when the visitor asks (`adoptImported`).
 * All are kept, and exported, like every other record.
 */
export type SampleStatus = 'pending' | 'trained' | 'stale' | 'failed' | 'foreign';
export const SAMPLE_STATUSES: readonly SampleStatus[] = ['pending', 'trained', 'stale', 'failed', 'foreign'];

/** A training sample (METHOD §6, §8) with its id and whether an update has used it. */
export interface StoredSample extends SampleRecord {
  id: string;
  status: SampleStatus;
  trained_in_update?: number;
  /** Why the updates on it failed (status `failed`). */
  error?: string;
}

/** The metrics of the update that produced `version` (loss terms, mean |A|, clip fractions, stage times, …). */
export interface UpdateMetrics {
  version: number;
  [name: string]: unknown;
}

/** A policy version: safetensors bytes and their manifest, stored as `src/model/checkpoint.ts` made them. */
export interface StoredCheckpoint {
  version: number;
  bytes: Uint8Array;
  manifest: CheckpointManifest;
}

/**
 * A policy version on a loaded Hugging Face base (issue 13): the LoRA adapter in PEFT's own files (megabytes, not
 * the base), the base it belongs to (repo or folder, revision, checksum of its weights) and the version it was
 * trained from. Stored under the same version numbers as whole checkpoints; version 0 is the fresh adapter (B = 0).
 */
export interface StoredAdapter {
  version: number;
  adapter: PeftFiles;
  base: BaseModelIdentity;
  /** The version this one was trained from; null for version 0. */
  parentVersion: number | null;
}

/** What a saved version holds: the whole policy, or an adapter on a loaded base. */
export type StoredVersion = StoredCheckpoint | StoredAdapter;

/**
 * The trainer's Adam state (src/model/adam.ts `encode`) after the update that made `version`: the trainer
 * returns it, the store keeps the latest, and a trainer loaded at that version resumes it.
 */
export interface SavedOptimizer {
  version: number;
  bytes: Uint8Array;
}

/** Everything one hybrid update (METHOD §6) leaves behind; `commitUpdate` writes it in one transaction. */
export type UpdateCommit = {
  version: number;
  /** Replaces the stored optimizer state. */
  optimizer?: SavedOptimizer;
  trainedSampleIds: string[];
  metrics: Omit<UpdateMetrics, 'version'>;
} & (
  | { checkpoint: { bytes: Uint8Array; manifest: CheckpointManifest }; adapter?: undefined }
  /** An adapter version (issue 13): the adapter with its base and parent. */
  | { adapter: Omit<StoredAdapter, 'version'>; checkpoint?: undefined }
);

export const EXPORT_FILE_NAMES = ['turns.jsonl', 'judge.jsonl', 'samples.jsonl', 'manifest.json'] as const;
export type ExportFileName = (typeof EXPORT_FILE_NAMES)[number];

/** An export: record lines in the reference framework's field names, and our manifest. */
export interface SessionExport {
  files: Record<ExportFileName, string>;
}

export interface ImportResult {
  /** The imported sessions as now stored. */
  sessions: SessionInfo[];
  /** Exported id → stored id, for sessions whose id was already taken here. */
  renamed: Record<string, string>;
  counts: { turns: number; judges: number; samples: number };
}

export interface RecordStore {
  putSession(session: SessionInfo): Promise<void>;
  getSession(id: string): Promise<SessionInfo | undefined>;
  /** Most recently updated first. */
  listSessions(): Promise<SessionInfo[]>;
  renameSession(id: string, title: string): Promise<SessionInfo>;
  /** Removes the session with its turns, judge records and samples. */
  deleteSession(id: string): Promise<void>;

  /** Writes a turn of an existing session (replacing one with the same number) and bumps the session's `updatedAt`. */
  putTurn(turn: StoredTurn): Promise<void>;
  getTurn(sessionId: string, turn: number): Promise<StoredTurn | undefined>;
  /** In session, then turn order. */
  listTurns(sessionId?: string): Promise<StoredTurn[]>;
  /** Read-modify-write of the loop's fields in one transaction. */
  updateTurn(sessionId: string, turn: number, update: TurnUpdate): Promise<StoredTurn>;
  /**
   * Durably records the next state of a main turn (METHOD §1) and sets it `pending_signals`; resolves only
   * once written, so nothing is computed from a next state a crash could lose. It may replace the next
   * state until signals are done; the same next state again is a no-op.
   */
  recordNextState(sessionId: string, turn: number, nextState: NextState): Promise<StoredTurn>;

  /** One evaluative and one directive record per turn (a second write replaces the first). */
  putJudge(record: JudgeRecord): Promise<void>;
  listJudges(sessionId?: string): Promise<JudgeRecord[]>;

  putSample(sample: StoredSample): Promise<void>;
  listSamples(filter?: { status?: SampleStatus; sessionId?: string }): Promise<StoredSample[]>;

  putMetrics(metrics: UpdateMetrics): Promise<void>;
  /** By version, ascending. */
  listMetrics(): Promise<UpdateMetrics[]>;

  putCheckpoint(version: number, bytes: Uint8Array, manifest: CheckpointManifest): Promise<void>;
  /** A saved whole checkpoint; undefined when the version is not saved or is an adapter. */
  getCheckpoint(version: number): Promise<StoredCheckpoint | undefined>;
  /** Saves an adapter version (version 0, the fresh adapter; later ones come with `commitUpdate`); refuses a taken number. */
  putAdapter(adapter: StoredAdapter): Promise<void>;
  /** A saved adapter version; undefined when the version is not saved or is a whole checkpoint. */
  getAdapter(version: number): Promise<StoredAdapter | undefined>;
  /** Every saved version, whole checkpoints and adapters alike, ascending; reads no weights. */
  listCheckpointVersions(): Promise<number[]>;
  /** Removes a saved version other than the one being served (to free space). */
  deleteCheckpoint(version: number): Promise<void>;
  getServingVersion(): Promise<number | undefined>;
  /** Serves a saved version from now on. */
  setServingVersion(version: number): Promise<void>;
  /**
   * ONE transaction: the new checkpoint (or adapter), its samples (and their turns) marked trained in this update, the
   * metrics, and the serving version. A tab closed mid-way leaves the old state or the new, never half.
   */
  commitUpdate(update: UpdateCommit): Promise<void>;
  /** The optimizer state the latest update saved, if any. */
  getOptimizer(): Promise<SavedOptimizer | undefined>;
  /** ONE transaction: pending samples (and their turns) marked `stale`, never to be trained (METHOD §7). */
  markStale(sampleIds: readonly string[]): Promise<void>;
  /** ONE transaction: pending samples whose update failed every time marked `failed` with the error. */
  markFailed(sampleIds: readonly string[], error: string): Promise<void>;
  /** ONE transaction: `failed` samples pending again (the visitor retries them), error cleared. */
  retryFailed(sampleIds: readonly string[]): Promise<void>;
  /**
   * ONE transaction: `foreign` (imported) samples pending again because the visitor asked to train on them.
   * Their version number was another browser's; they are taken as samples of `policyVersion` (the serving
   * one), so the version rule (METHOD §7) lets them train; their recorded log-probs stay the behaviour policy's.
   */
  adoptImported(sampleIds: readonly string[], policyVersion: number): Promise<void>;
  /** Serves a saved earlier version again; later versions are kept (and can be served again). */
  rollback(version: number): Promise<void>;

  /** The settings object as last saved (opaque here); never holds secrets. */
  getSettings<T = unknown>(): Promise<T | undefined>;

  /** Writes a visitor's message for a remote policy before it is sent (issue 16). */
  queueOutgoing(message: OutgoingMessage): Promise<void>;
  /** Messages not yet answered, oldest first. */
  listOutgoing(): Promise<OutgoingMessage[]>;
  /**
   * ONE transaction: the answered message leaves the queue, becomes the next state of its session's last
   * turn (if that one has none), and the remote reply is stored as the session's next turn.
   */
  recordRemoteReply(message: OutgoingMessage, turn: StoredTurn): Promise<void>;
  /** Refuses an object with a secret-named field (apiKey, key, token, …) anywhere in it. */
  putSettings(settings: object): Promise<void>;

  /** All sessions, or the given ones, as JSONL records plus manifest. Secret-named fields never leave. */
  exportSessions(sessionIds?: string[]): Promise<SessionExport>;
  /**
   * Validates every file first (token ids against `limits.vocabSize`, the policy's vocabulary; times
   * plausible); refuses with `ImportRefusedError` (file, line, field) touching nothing; then writes in one
   * transaction. Imported samples that were pending arrive `foreign`.
   */
  importSessions(files: Partial<Record<string, string>>, limits: RecordLimits): Promise<ImportResult>;
}
