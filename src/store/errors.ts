/**
 * The store's named errors. Callers branch on the class, visitors read the message.
 * A quota error is recognised however the browser reports it and becomes a `StorageQuotaError`.
 */

/** The browser refused a write for lack of space; the write did not happen, earlier records are intact. */
export class StorageQuotaError extends Error {
  override readonly name = 'StorageQuotaError';
  constructor(readonly what: string, options?: { cause?: unknown }) {
    super(
      `Storage is full: the browser refused to save ${what}. Nothing was written by this step and everything ` +
        'recorded before is kept. Free space (delete old sessions or checkpoints, or export and clear) to record again.',
      options,
    );
  }
}

/** The stored layout is newer than this code, or a migration could not run. */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
}

/** A write that contradicts what is stored (a missing turn, an existing version, a sample trained twice). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** An import refused before anything was written; `problems` says where (file, line, field) and what. */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefusedError';
  constructor(readonly problems: string[]) {
    super(`Import refused, nothing was changed: ${problems.slice(0, 5).join('; ')}` +
      (problems.length > 5 ? `; and ${problems.length - 5} more problem(s)` : ''));
  }
}

/** True for a quota refusal: the DOMException itself, Firefox's legacy name, code 22, or one wrapped in an abort. */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; inner?: unknown; error?: unknown };
  if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (e.name !== 'StorageQuotaError' && typeof DOMException !== 'undefined' && error instanceof DOMException && e.code === 22) return true;
  // A transaction aborted by the quota reports AbortError; its message or its cause says why.
  if (e.name === 'AbortError' && typeof e.message === 'string' && /quota/i.test(e.message)) return true;
  return [e.cause, e.inner, e.error].some((inner) => inner !== error && isQuotaError(inner, depth + 1));
}

/** Rethrows a quota refusal as `StorageQuotaError` naming what was being saved; other errors pass unchanged. */
export function asStoreError(error: unknown, what: string): unknown {
  if (error instanceof StorageQuotaError) return error;
  return isQuotaError(error) ? new StorageQuotaError(what, { cause: error }) : error;
}

/** Settings holding a secret-named field; secrets live elsewhere, never in the store. */
export class SecretRefusedError extends Error {
  override readonly name = 'SecretRefusedError';
  constructor(readonly fields: string[]) {
    super(`Refusing to store secret-named field(s) ${fields.join(', ')}: secrets are never written to the store.`);
  }
}
