/**
 * What the store needs from a key-value database: transactions over one ordered key space.
 * IndexedDB (browser) and a Map (Node) both provide it; the record logic is written once above it.
 */
import type { KeyPart, StoreKey } from './keys.ts';

/** Reads inside a transaction. A callback may await only these calls (IndexedDB ends idle transactions). */
export interface ReadTx {
  get<T>(key: StoreKey): Promise<T | undefined>;
  /** Every [key, value] whose key starts with `prefix`, in key order; `[]` lists the whole store. */
  entries<T>(prefix: KeyPart[]): Promise<Array<[StoreKey, T]>>;
  /** The keys under `prefix`, without reading their values (checkpoints are large). */
  keys(prefix: KeyPart[]): Promise<StoreKey[]>;
}

/** A read-write transaction: every put and delete lands together when the callback resolves, or none does. */
export interface WriteTx extends ReadTx {
  put(key: StoreKey, value: unknown): void;
  delete(key: StoreKey): void;
}

export interface KeyValueBackend {
  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `work` in one atomic transaction; if it throws, or the database refuses, nothing is written. */
  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>;
}
