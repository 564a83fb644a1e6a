/** The record store on disk (Node only: the policy server): the same records as IndexedDB, in LevelDB (`level-backend.ts`). */
import { LevelBackend } from './level-backend.ts';
import { KeyValueRecordStore } from './record-store.ts';

export class LevelStore extends KeyValueRecordStore {
  /** Opens (creating if needed) and migrates the database in folder `path`. */
  static async open(path: string): Promise<LevelStore> {
    const store = new LevelStore(await LevelBackend.open(path));
    await store.migrate();
    return store;
  }

  close(): Promise<void> {
    return (this.backend as LevelBackend).close();
  }
}
