/** The record store in memory (Node: benchmarks and engine tests); a real store, lost when the process ends. */
import { MemoryBackend } from './memory-backend.ts';
import { KeyValueRecordStore } from './record-store.ts';

export class MemoryStore extends KeyValueRecordStore {
  /**
   * `byteBudget` makes writes beyond it fail as a browser over quota does (`StorageQuotaError`);
   * `backend` opens a store over existing data (a migration test's hand-written old layout).
   */
  static async open(options: { byteBudget?: number; backend?: MemoryBackend } = {}): Promise<MemoryStore> {
    const store = new MemoryStore(options.backend ?? new MemoryBackend(options.byteBudget));
    await store.migrate();
    return store;
  }

  /** Bytes held, as the byte budget counts them. */
  get bytesUsed(): number {
    return (this.backend as MemoryBackend).bytesUsed;
  }
}
