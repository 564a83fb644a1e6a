/** The store's public surface (issue 5 "Store", issue 6 export/import): records, checkpoints, export/import. */
export type {
  RecordStore, SessionInfo, SessionKind, StoredTurn, TurnStatus, TurnUpdate, JudgeRecord, StoredSample, SampleStatus,
  UpdateMetrics, StoredCheckpoint, SavedOptimizer, UpdateCommit, SessionExport, ExportFileName, ImportResult,
} from './types.ts';
export { SESSION_KINDS, TURN_STATUSES, SAMPLE_STATUSES, EXPORT_FILE_NAMES } from './types.ts';
export { IndexedDbStore } from './indexeddb-store.ts';
export { MemoryStore } from './memory-store.ts';
export { STORE_SCHEMA_VERSION } from './migrations.ts';
export { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type ExportManifest } from './export.ts';
export { StorageQuotaError, StoreSchemaError, StoreConflictError, ImportRefusedError, SecretRefusedError, isQuotaError } from './errors.ts';
export { isSecretFieldName } from './secrets.ts';
export { storedSessionProblem } from './stored-session.ts';
