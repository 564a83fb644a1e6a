/**
 * The record store in the browser: IndexedDB database `nextstate`, one object store `records` (via idb-keyval)
 * with the array-key layout of `keys.ts`. Any window or worker of the origin may open it; IndexedDB
 * serialises their transactions.
 */
import { DATABASE_NAME, IdbBackend } from './idb-backend.ts';
import { KeyValueRecordStore } from './record-store.ts';

export class IndexedDbStore extends KeyValueRecordStore {
  /** Opens (creating if needed) and migrates the database; tests pass their own `databaseName`. */
  static async open(databaseName = DATABASE_NAME): Promise<IndexedDbStore> {
    const store = new IndexedDbStore(new IdbBackend(databaseName));
    await store.migrate();
    return store;
  }
}
