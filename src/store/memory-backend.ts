/**
 * An in-memory key-value database with IndexedDB's semantics that matter to the store: values are
 * structured clones, keys sort in IndexedDB's order, transactions run one at a time and are atomic,
 * and an optional byte budget refuses a write with a real `QuotaExceededError` DOMException.
 */
import type { KeyValueBackend, ReadTx, WriteTx } from './backend.ts';
import { compareKeys, hasPrefix, type KeyPart, type StoreKey } from './keys.ts';

interface Entry {
  key: StoreKey;
  value: unknown;
  bytes: number;
}

/** A rough size of a stored value: typed-array bytes, 2 bytes per string character, 8 per number. */
export function approximateBytes(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + approximateBytes(v), 8);
  if (typeof value === 'object') {
    let n = 8;
    for (const [k, v] of Object.entries(value)) n += 2 * k.length + approximateBytes(v);
    return n;
  }
  return 8;
}

const DELETED = Symbol('deleted');

export class MemoryBackend implements KeyValueBackend {
  private readonly data = new Map<string, Entry>();
  private queue: Promise<unknown> = Promise.resolve();
  private usedBytes = 0;

  /** `byteBudget`: the most bytes of values it holds before refusing writes (default: unlimited). */
  constructor(readonly byteBudget = Number.POSITIVE_INFINITY) {}

  /** Bytes of values currently held (by `approximateBytes`). */
  get bytesUsed(): number {
    return this.usedBytes;
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.serialise(() => work(this.view(new Map())));
  }

  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.serialise(async () => {
      const staged = new Map<string, Entry | typeof DELETED>();
      const tx: WriteTx = {
        ...this.view(staged),
        put: (key, value) => {
          const cloned = structuredClone(value);
          staged.set(JSON.stringify(key), { key, value: cloned, bytes: approximateBytes(cloned) });
        },
        delete: (key) => void staged.set(JSON.stringify(key), DELETED),
      };
      const result = await work(tx);
      this.apply(staged);
      return result;
    });
  }

  private serialise<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Commits a transaction's staged writes, or throws QuotaExceededError and commits none. */
  private apply(staged: Map<string, Entry | typeof DELETED>): void {
    let used = this.usedBytes;
    for (const [id, entry] of staged) {
      used -= this.data.get(id)?.bytes ?? 0;
      if (entry !== DELETED) used += entry.bytes;
    }
    if (used > this.byteBudget) {
      throw new DOMException(`The write needs ${used} bytes; the budget is ${this.byteBudget}.`, 'QuotaExceededError');
    }
    for (const [id, entry] of staged) {
      if (entry === DELETED) this.data.delete(id);
      else this.data.set(id, entry);
    }
    this.usedBytes = used;
  }

  /** Reads that see this transaction's own staged writes first, as IndexedDB does. */
  private view(staged: Map<string, Entry | typeof DELETED>): ReadTx {
    const current = (prefix: KeyPart[]): Entry[] => {
      const merged = new Map<string, Entry>();
      for (const [id, entry] of this.data) merged.set(id, entry);
      for (const [id, entry] of staged) {
        if (entry === DELETED) merged.delete(id);
        else merged.set(id, entry);
      }
      return [...merged.values()]
        .filter((e) => prefix.length === 0 || hasPrefix(e.key, prefix))
        .sort((a, b) => compareKeys(a.key, b.key));
    };
    return {
      get: async <T>(key: StoreKey) => {
        const id = JSON.stringify(key);
        const entry = staged.has(id) ? staged.get(id) : this.data.get(id);
        return entry === undefined || entry === DELETED ? undefined : (structuredClone(entry.value) as T);
      },
      entries: async <T>(prefix: KeyPart[]) =>
        current(prefix).map((e): [StoreKey, T] => [structuredClone(e.key), structuredClone(e.value) as T]),
      keys: async (prefix: KeyPart[]) => current(prefix).map((e) => structuredClone(e.key)),
    };
  }
}
