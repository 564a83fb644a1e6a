/**
 * The store's key layout: one IndexedDB object store, array keys whose first element names the record kind.
 * Array keys sort element by element (IndexedDB's order), so every kind, and every session's turns, is one
 * contiguous key range.
 *
 *   ['meta', 'schema']                      STORE_SCHEMA_VERSION of the layout
 *   ['meta', 'serving']                     the policy version being served
 *   ['meta', 'settings']                    the settings object (never secrets)
 *   ['meta', 'optimizer']                   SavedOptimizer: the trainer's Adam state after the latest update
 *   ['session', sessionId]                  SessionInfo
 *   ['turn', sessionId, turn]               StoredTurn
 *   ['judge', sessionId, turn, signal]      evaluative or directive judge record
 *   ['sample', sampleId]                    StoredSample
 *   ['metrics', version]                    UpdateMetrics of the update that made that version
 *   ['checkpoint', version]                 StoredCheckpoint (safetensors bytes + manifest), or StoredAdapter (a LoRA
 *                                           adapter's PEFT files + its base's identity) on a loaded base
 *   ['outgoing', queuedAt, id]              OutgoingMessage: a visitor's message for a remote policy, not yet answered
 */
export type KeyPart = string | number;
export type StoreKey = KeyPart | KeyPart[];

export const keys = {
  schema: (): StoreKey => ['meta', 'schema'],
  serving: (): StoreKey => ['meta', 'serving'],
  settings: (): StoreKey => ['meta', 'settings'],
  optimizer: (): StoreKey => ['meta', 'optimizer'],
  session: (sessionId: string): StoreKey => ['session', sessionId],
  turn: (sessionId: string, turn: number): StoreKey => ['turn', sessionId, turn],
  judge: (sessionId: string, turn: number, signal: 'evaluative' | 'directive'): StoreKey => ['judge', sessionId, turn, signal],
  sample: (sampleId: string): StoreKey => ['sample', sampleId],
  metrics: (version: number): StoreKey => ['metrics', version],
  checkpoint: (version: number): StoreKey => ['checkpoint', version],
  outgoing: (queuedAt: number, id: string): StoreKey => ['outgoing', queuedAt, id],
};

/** Rank of a key's type in IndexedDB's order: numbers < strings < arrays. */
function typeRank(part: StoreKey): number {
  if (typeof part === 'number') return 0;
  if (typeof part === 'string') return 1;
  return 2;
}

/** IndexedDB's key order for the key types the store uses (the in-memory store sorts with it). */
export function compareKeys(a: StoreKey, b: StoreKey): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  const bb = b as KeyPart[];
  for (let i = 0; i < Math.min(a.length, bb.length); i++) {
    const c = compareKeys(a[i], bb[i]);
    if (c !== 0) return c;
  }
  return a.length - bb.length;
}

/** True when `key` is `prefix` or extends it (an array key whose first elements equal the prefix). */
export function hasPrefix(key: StoreKey, prefix: KeyPart[]): boolean {
  if (!Array.isArray(key) || key.length < prefix.length) return false;
  return prefix.every((part, i) => key[i] === part);
}
