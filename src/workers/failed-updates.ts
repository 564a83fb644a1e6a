/**
 * Failed updates: a batch whose update failed is retried after a delay doubling from `first` to `max`; one
 * that failed `attempts` times in a row fails deterministically and is set aside (`failed`), so the next
 * batch trains. After every failure the trainer starts from the serving version again.
 */
import type { RecordStore } from '../store/types.ts';
import type { CheckpointBlob, TrainerEngineApi } from './protocol.ts';

export interface UpdateRetry {
  first: number;
  max: number;
  attempts: number;
}

/** What to do after a failure: wait `ms` and try the batch again, or set it aside. */
export type AfterFailure = { retryAfterMs: number } | { setAside: true };

/** What the online loop does for `FailedUpdates.recover`. */
export interface RecoveryActions {
  /** Loads the trainer at the serving version. */
  reloadTrainer(): Promise<void>;
  /** Marks the batch's samples `failed` with the reason. */
  setAside(sampleIds: string[], reason: string): Promise<void>;
  error(where: 'update' | 'store', error: Error): void;
  failed(sampleIds: string[], error: Error): void;
}

export class FailedUpdates {
  readonly retry: UpdateRetry = { first: 1000, max: 30_000, attempts: 3 };
  /** The batch whose update last failed (its sample ids) and how many times in a row. */
  private lastFailed: { key: string; attempts: number } | null = null;
  /** Updates failed since the last one that succeeded, whatever their batch: the backoff grows with it. */
  private inARow = 0;

  succeeded(): void {
    this.lastFailed = null;
    this.inARow = 0;
  }

  /** The update of the batch `sampleIds` failed: retry after a delay, or set the batch aside. */
  failed(sampleIds: readonly string[]): AfterFailure {
    const key = sampleIds.join('\n');
    const attempts = this.lastFailed?.key === key ? this.lastFailed.attempts + 1 : 1;
    this.lastFailed = { key, attempts };
    this.inARow++;
    if (attempts < this.retry.attempts) {
      // A trainer that fails every batch is not hammered either: the wait keeps doubling across batches.
      return { retryAfterMs: Math.min(this.retry.first * 2 ** (this.inARow - 1), this.retry.max) };
    }
    this.lastFailed = null;
    return { setAside: true };
  }

  /** After the update of `sampleIds` failed with `error`: reload the trainer, then back off or set the batch aside. */
  async recover(sampleIds: string[], error: Error, actions: RecoveryActions): Promise<void> {
    const next = this.failed(sampleIds);
    try {
      // A failed update may have moved the trainer's weights (or a commit refused them).
      await actions.reloadTrainer();
    } catch (e) {
      actions.error('update', asError(e));
    }
    if ('retryAfterMs' in next) return new Promise((r) => setTimeout(r, next.retryAfterMs));
    try {
      await actions.setAside(sampleIds, `${error.name}: ${error.message}`);
      actions.failed(sampleIds, error);
    } catch (e) {
      // The store refused too (a sample changed meanwhile): the next pass reads what is pending afresh.
      actions.error('store', asError(e));
    }
  }
}

/** Loads `trainer` at `version` from the store: its checkpoint (or the shipped one, version 0) and the saved Adam state. */
export async function reloadTrainer(store: RecordStore, trainer: Pick<TrainerEngineApi, 'load'>, version: number): Promise<void> {
  const [initial, serving, optimizer] = await Promise.all([
    store.getCheckpoint(0), version > 0 ? store.getCheckpoint(version) : undefined, store.getOptimizer(),
  ]);
  if (!initial) throw new Error('the shipped checkpoint (version 0) is not in the store');
  const blob = (c: { bytes: Uint8Array; manifest: CheckpointBlob['manifest'] }): CheckpointBlob => ({ bytes: c.bytes, manifest: c.manifest });
  await trainer.load(blob(initial), serving ? blob(serving) : null, version, optimizer ?? null);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
