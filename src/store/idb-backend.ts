/**
 * The browser's key-value database: one IndexedDB object store opened through idb-keyval's `createStore`.
 * idb-keyval keeps the IndexedDB version at 1; the store's own layout version lives under ['meta', 'schema'].
 */
import { createStore, type UseStore } from 'idb-keyval';
import type { KeyValueBackend, ReadTx, WriteTx } from './backend.ts';
import type { KeyPart, StoreKey } from './keys.ts';

export const DATABASE_NAME = 'nextstate';
export const OBJECT_STORE_NAME = 'records';

function requested<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Every key starting with `prefix`: arrays sort after numbers and strings, so `[...prefix, []]` bounds them. */
function prefixRange(prefix: KeyPart[]): IDBKeyRange | undefined {
  return prefix.length === 0 ? undefined : IDBKeyRange.bound(prefix, [...prefix, []]);
}

function readsOf(store: IDBObjectStore): ReadTx {
  return {
    get: <T>(key: StoreKey) => requested(store.get(key as IDBValidKey)) as Promise<T | undefined>,
    entries: async <T>(prefix: KeyPart[]) => {
      const range = prefixRange(prefix);
      const [found, values] = await Promise.all([requested(store.getAllKeys(range)), requested(store.getAll(range))]);
      return found.map((key, i): [StoreKey, T] => [key as StoreKey, values[i] as T]);
    },
    keys: async (prefix: KeyPart[]) => (await requested(store.getAllKeys(prefixRange(prefix)))) as StoreKey[],
  };
}

/** Settles when the transaction commits; rejects with the reason it aborted (a quota refusal among them). */
function committed(tx: IDBTransaction): Promise<void> {
  let requestError: unknown;
  return new Promise((resolve, reject) => {
    tx.addEventListener('complete', () => resolve());
    tx.addEventListener('error', (event) => (requestError ??= (event.target as IDBRequest | null)?.error));
    tx.addEventListener('abort', () =>
      reject(tx.error ?? requestError ?? new DOMException('The transaction was aborted.', 'AbortError')));
  });
}

export class IdbBackend implements KeyValueBackend {
  private readonly useStore: UseStore;

  constructor(readonly databaseName = DATABASE_NAME) {
    this.useStore = createStore(databaseName, OBJECT_STORE_NAME);
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.useStore('readonly', (store) => work(readsOf(store)));
  }

  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.useStore('readwrite', async (store) => {
      const done = committed(store.transaction);
      done.catch(() => undefined);
      const tx: WriteTx = {
        ...readsOf(store),
        put: (key, value) => void store.put(value, key as IDBValidKey),
        delete: (key) => void store.delete(key as IDBValidKey),
      };
      let result: T;
      try {
        result = await work(tx);
      } catch (error) {
        try {
          store.transaction.abort();
        } catch {
          // already finished or aborted
        }
        throw error;
      }
      await done;
      return result;
    });
  }
}
