/**
 * The store layout's version and the migrations that bring an older layout up to it, run on open inside
 * one transaction (a failed migration changes nothing). Add a layout change as a new entry at the end.
 */
import type { WriteTx } from './backend.ts';
import { StoreSchemaError } from './errors.ts';
import { keys, type StoreKey } from './keys.ts';

export const STORE_SCHEMA_VERSION = 3;

export interface Migration {
  from: number;
  describe: string;
  run(tx: WriteTx): Promise<void>;
}

/**
 * v0, the unversioned prototype layout: string keys `session:<id>`, `turn:<sessionId>:<n>`,
 * `checkpoint:<version>` and `serving`; a turn's policy version was named `version` and turns had no status.
 */
const fromV0: Migration = {
  from: 0,
  describe: 'string keys to array keys; turn.version to policy_version; turns get a status',
  async run(tx) {
    for (const [key, value] of await tx.entries<Record<string, unknown>>([])) {
      if (typeof key !== 'string') continue;
      const moved = v0Record(key, value);
      if (!moved) throw new StoreSchemaError(`Cannot migrate the v0 record "${key}": unknown key.`);
      tx.delete(key);
      tx.put(moved[0], moved[1]);
    }
  },
};

function v0Record(key: string, value: Record<string, unknown>): [StoreKey, unknown] | undefined {
  if (key === 'serving') return [keys.serving(), value];
  const [kind, ...rest] = key.split(':');
  const tail = rest.join(':');
  if (kind === 'session') return [keys.session(tail), value];
  if (kind === 'checkpoint') return [keys.checkpoint(Number(tail)), value];
  if (kind !== 'turn') return undefined;
  const cut = tail.lastIndexOf(':');
  const { version, ...turn } = value;
  const status = turn.next_state ? 'pending_signals' : 'awaiting_next_state';
  return [keys.turn(tail.slice(0, cut), Number(tail.slice(cut + 1))), { ...turn, policy_version: version ?? 0, status }];
}

/**
 * v1 → v2: samples gained the statuses `failed` (with `error`) and `foreign` (issue 18). Every v1 record is a
 * valid v2 record, so nothing moves; the new number keeps an older build from reading statuses it cannot place.
 */
const fromV1: Migration = {
  from: 1,
  describe: 'samples may be failed (with error) or foreign; v1 records are unchanged',
  async run() {},
};

/**
 * v2 → v3: a version may be a LoRA adapter on a loaded base (StoredAdapter, issue 13) rather than a whole
 * checkpoint. Every v2 record is a valid v3 record; the new number keeps an older build from reading an
 * adapter as a checkpoint.
 */
const fromV2: Migration = {
  from: 2,
  describe: 'a saved version may be an adapter (StoredAdapter); v2 records are unchanged',
  async run() {},
};

export const MIGRATIONS: Migration[] = [fromV0, fromV1, fromV2];

/** Brings the layout to STORE_SCHEMA_VERSION: an empty store starts there, keys without a version are v0. */
export async function migrate(tx: WriteTx, migrations = MIGRATIONS): Promise<{ from: number; to: number }> {
  let from = await tx.get<number>(keys.schema());
  if (from === undefined) from = (await tx.keys([])).length === 0 ? STORE_SCHEMA_VERSION : 0;
  if (from > STORE_SCHEMA_VERSION) {
    throw new StoreSchemaError(`The saved data uses store layout v${from}; this version of NextState reads up to ` +
      `v${STORE_SCHEMA_VERSION}. Open it with a newer NextState, or export it there and clear this browser's data.`);
  }
  for (let version = from; version < STORE_SCHEMA_VERSION; version++) {
    const step = migrations.find((m) => m.from === version);
    if (!step) throw new StoreSchemaError(`No migration from store layout v${version}.`);
    await step.run(tx);
  }
  tx.put(keys.schema(), STORE_SCHEMA_VERSION);
  return { from, to: STORE_SCHEMA_VERSION };
}
