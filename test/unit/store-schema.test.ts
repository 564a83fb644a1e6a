import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { compareKeys, type StoreKey } from '../../src/store/keys.ts';
import { isQuotaError, MemoryStore, StorageQuotaError, STORE_SCHEMA_VERSION, StoreSchemaError } from '../../src/store/index.ts';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { fixtureCheckpoint, fixtureSession, writeFixture } from '../browser/pages/store-fixtures.ts';

const dump = (backend: MemoryBackend) => backend.read((tx) => tx.entries([]));

/** The v0 layout as a prototype wrote it, by hand: string keys, `version` on turns, no status, no schema record. */
async function writeV0(backend: MemoryBackend) {
  const f = fixtureSession(5, 'old:chat', 2);
  const { bytes, manifest } = fixtureCheckpoint(3, 32);
  await backend.write(async (tx) => {
    tx.put('session:old:chat', f.session);
    for (const t of f.turns) {
      const { policy_version, status: _status, ...rest } = t;
      tx.put(`turn:old:chat:${t.turn}`, { ...rest, version: policy_version });
    }
    tx.put('checkpoint:3', { version: 3, bytes, manifest });
    tx.put('serving', 3);
  });
  return f;
}

describe('store layout migrations', () => {
  it('an empty store starts at the current layout version', async () => {
    const backend = new MemoryBackend();
    await MemoryStore.open({ backend });
    expect(await dump(backend)).toEqual([[['meta', 'schema'], STORE_SCHEMA_VERSION]]);
  });

  it('migrates a hand-written v0 layout to the current one on open', async () => {
    const backend = new MemoryBackend();
    const f = await writeV0(backend);
    const store = await MemoryStore.open({ backend });
    expect((await dump(backend)).every(([key]) => Array.isArray(key))).toBe(true);
    expect(await backend.read((tx) => tx.get(['meta', 'schema']))).toBe(STORE_SCHEMA_VERSION);
    expect(await store.getSession('old:chat')).toEqual(f.session);
    const turns = await store.listTurns('old:chat');
    expect(turns.map((t) => [t.turn, t.status, t.policy_version])).toEqual([
      [1, 'pending_signals', f.turns[0].policy_version],
      [2, 'awaiting_next_state', f.turns[1].policy_version],
    ]);
    expect(turns[0]).not.toHaveProperty('version');
    expect(await store.getServingVersion()).toBe(3);
    expect(Array.from((await store.getCheckpoint(3))!.bytes)).toEqual(Array.from(fixtureCheckpoint(3, 32).bytes));
    // Opening again is a no-op.
    const before = await dump(backend);
    await MemoryStore.open({ backend });
    expect(await dump(backend)).toEqual(before);
  });

  it('opens a v1 store (before samples could be failed or foreign, or versions adapters) at the current layout with every record as it was', async () => {
    const backend = new MemoryBackend();
    const v1 = await MemoryStore.open({ backend });
    const f = fixtureSession(12, 'v1', 4);
    await writeFixture(v1, f);
    await backend.write(async (tx) => tx.put(['meta', 'schema'], 1));
    const before = (await dump(backend)).filter(([key]) => JSON.stringify(key) !== '["meta","schema"]');
    const store = await MemoryStore.open({ backend });
    expect(await backend.read((tx) => tx.get(['meta', 'schema']))).toBe(STORE_SCHEMA_VERSION);
    expect(STORE_SCHEMA_VERSION).toBe(3);
    expect((await dump(backend)).filter(([key]) => JSON.stringify(key) !== '["meta","schema"]')).toEqual(before);
    expect((await store.listSamples({ status: 'pending' })).map((s) => s.id).sort()).toEqual(f.samples.map((s) => s.id).sort());
  });

  it('a v0 record it cannot place fails the migration and changes nothing', async () => {
    const backend = new MemoryBackend();
    await writeV0(backend);
    await backend.write(async (tx) => tx.put('mystery:1', { a: 1 }));
    const before = await dump(backend);
    await expect(MemoryStore.open({ backend })).rejects.toBeInstanceOf(StoreSchemaError);
    expect(await dump(backend)).toEqual(before);
  });

  it('refuses a layout newer than this build, untouched', async () => {
    const backend = new MemoryBackend();
    await backend.write(async (tx) => tx.put(['meta', 'schema'], STORE_SCHEMA_VERSION + 1));
    await expect(MemoryStore.open({ backend })).rejects.toThrow(/newer NextState/);
    expect(await dump(backend)).toEqual([[['meta', 'schema'], STORE_SCHEMA_VERSION + 1]]);
  });
});

describe('storage quota', () => {
  it('a write over the budget is a StorageQuotaError that writes nothing and loses nothing', async () => {
    const store = await MemoryStore.open({ byteBudget: 20_000 });
    const f = fixtureSession(9, 'q', 3);
    await writeFixture(store, f);
    const used = store.bytesUsed;
    const big = fixtureCheckpoint(1, 30_000);
    const refused = store.putCheckpoint(1, big.bytes, big.manifest);
    await expect(refused).rejects.toBeInstanceOf(StorageQuotaError);
    await expect(refused).rejects.toThrow(/Storage is full.*checkpoint version 1.*everything recorded before is kept/);
    expect(store.bytesUsed).toBe(used);
    expect(await store.listCheckpointVersions()).toEqual([]);
    expect(await store.listTurns('q')).toEqual(f.turns);
    // An atomic update over the budget leaves the samples pending and the serving version as it was.
    const small = fixtureCheckpoint(0, 100);
    await store.putCheckpoint(0, small.bytes, small.manifest);
    await store.setServingVersion(0);
    const update = { version: 1, checkpoint: big, trainedSampleIds: f.samples.map((s) => s.id), metrics: {} };
    await expect(store.commitUpdate(update)).rejects.toBeInstanceOf(StorageQuotaError);
    expect(await store.getServingVersion()).toBe(0);
    expect((await store.listSamples()).every((s) => s.status === 'pending')).toBe(true);
    // Recording goes on once space is freed.
    await store.deleteSession('q');
    await store.putCheckpoint(1, fixtureCheckpoint(1, 10_000).bytes, small.manifest);
    expect(await store.listCheckpointVersions()).toEqual([0, 1]);
  });

  it('recognises quota refusals however the browser reports them', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new DOMException('The transaction was aborted (quota exceeded).', 'AbortError'))).toBe(true);
    expect(isQuotaError(new Error('aborted', { cause: new DOMException('full', 'QuotaExceededError') }))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', message: 'aborted', inner: { name: 'NS_ERROR_DOM_QUOTA_REACHED' } })).toBe(true);
    expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isQuotaError(new DOMException('bad key', 'DataError'))).toBe(false);
    expect(isQuotaError(new Error('quota'))).toBe(false);
  });
});

describe('key order', () => {
  /** IndexedDB's order, written independently: numbers, then strings by code unit, then arrays element-wise. */
  function specOrder(a: StoreKey, b: StoreKey): number {
    const rank = (k: StoreKey) => (typeof k === 'number' ? 0 : typeof k === 'string' ? 1 : 2);
    if (rank(a) !== rank(b)) return Math.sign(rank(a) - rank(b));
    if (!Array.isArray(a) || !Array.isArray(b)) {
      if (typeof a === 'number') return Math.sign(a - (b as number));
      const [x, y] = [a as string, b as string];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) return Math.sign(x.charCodeAt(i) - y.charCodeAt(i));
      return Math.sign(x.length - y.length);
    }
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = specOrder(a[i], b[i]);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - b.length);
  }

  it('compareKeys agrees with IndexedDB order on random keys', () => {
    const rng = createRng(2024);
    const part = () => (rng() < 0.5 ? randomInt(rng, 20) - 5 + (rng() < 0.2 ? 0.5 : 0) : ['', 'a', 'ab', 'b', 'é', 'Z', '10', '9'][randomInt(rng, 8)]);
    const key = (): StoreKey => (rng() < 0.3 ? part() : Array.from({ length: randomInt(rng, 4) }, part));
    for (let i = 0; i < 3000; i++) {
      const [a, b] = [key(), key()];
      expect(Math.sign(compareKeys(a, b)), JSON.stringify([a, b])).toBe(specOrder(a, b));
    }
  });
});
