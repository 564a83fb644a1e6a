/**
 * The store test page: exposes `window.storeTest` so Playwright drives the real `IndexedDbStore` over real
 * IndexedDB. Every call names its database, so tests never share state.
 */
import { createStore, set } from 'idb-keyval';
import { IdbBackend } from '../../../src/store/idb-backend.ts';
import { compareKeys, type StoreKey } from '../../../src/store/keys.ts';
import { IndexedDbStore, type SessionExport } from '../../../src/store/index.ts';
import { createRng, randomInt } from '../../../src/model/rng.ts';
import { fixtureCheckpoint, fixtureSession, writeFixture, fixtureLimits } from './store-fixtures.ts';

const opened = new Map<string, Promise<IndexedDbStore>>();
const storeOf = (db: string) => {
  if (!opened.has(db)) opened.set(db, IndexedDbStore.open(db));
  return opened.get(db)!;
};

async function digest(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A JSON-safe picture of a value: byte arrays become their length and digest. */
async function jsonSafe(value: unknown): Promise<unknown> {
  if (value instanceof Uint8Array) return { bytes: value.byteLength, sha256: await digest(value) };
  if (Array.isArray(value)) return Promise.all(value.map(jsonSafe));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await jsonSafe(v);
    return out;
  }
  return value;
}

const api = {
  /** Writes fixture sessions, checkpoint 0 (`checkpointBytes` long) served, and settings. */
  async writeFixtures(db: string, seeds: number[], turns = 4, checkpointBytes = 4096) {
    const store = await storeOf(db);
    for (const seed of seeds) await writeFixture(store, fixtureSession(seed, `s${seed}`, turns));
    const c = fixtureCheckpoint(0, checkpointBytes);
    await store.putCheckpoint(0, c.bytes, c.manifest);
    await store.setServingVersion(0);
    await store.putSettings({ k: 4, batchSize: 2 });
  },

  /** What the store holds, through its own methods; checkpoints as length and digest. */
  async contents(db: string) {
    const store = await storeOf(db);
    const versions = await store.listCheckpointVersions();
    const checkpoints = await Promise.all(versions.map(async (v) => jsonSafe(await store.getCheckpoint(v))));
    return {
      sessions: (await store.listSessions()).sort((a, b) => (a.id < b.id ? -1 : 1)),
      turns: await store.listTurns(),
      judges: await store.listJudges(),
      samples: await store.listSamples(),
      metrics: await store.listMetrics(),
      versions,
      checkpoints,
      serving: (await store.getServingVersion()) ?? null,
      settings: (await store.getSettings()) ?? null,
    };
  },

  /** Every raw record of the database, JSON-safe (what "nothing touched" compares). */
  async rawDump(db: string) {
    await storeOf(db);
    return jsonSafe(await new IdbBackend(db).read((tx) => tx.entries([])));
  },

  /** What fixtures and checkpoint 0 should read back as, computed afresh (the independent side of a comparison). */
  async expected(seeds: number[], turns = 4, checkpointBytes = 4096) {
    const fixtures = seeds.map((seed) => fixtureSession(seed, `s${seed}`, turns));
    const c = fixtureCheckpoint(0, checkpointBytes);
    return { fixtures, checkpoint0: await jsonSafe({ version: 0, ...c }) };
  },

  /**
   * Starts commitUpdate to version 1 (checkpoint `bytes` long, every pending sample trained) without waiting;
   * `commitState()` says when it settles. Returns what the new checkpoint should read back as.
   */
  async startCommit(db: string, bytes: number) {
    const store = await storeOf(db);
    const ids = (await store.listSamples({ status: 'pending' })).map((s) => s.id);
    const checkpoint = fixtureCheckpoint(1, bytes);
    const expected = await jsonSafe({ version: 1, ...checkpoint });
    (window as unknown as { commit: string }).commit = 'running';
    void store.commitUpdate({ version: 1, checkpoint, trainedSampleIds: ids, metrics: { loss: 0.25, samples: ids.length } }).then(
      () => ((window as unknown as { commit: string }).commit = 'done'),
      (e: Error) => ((window as unknown as { commit: string }).commit = `failed: ${e.message}`),
    );
    return { ids, expected };
  },

  commitState: () => (window as unknown as { commit?: string }).commit ?? 'none',

  async exportAll(db: string): Promise<SessionExport['files']> {
    return (await (await storeOf(db)).exportSessions()).files;
  },

  /** Imports; a refusal comes back as its name and message instead of a throw. */
  async importFiles(db: string, files: Partial<Record<string, string>>) {
    try {
      return { ok: await (await storeOf(db)).importSessions(files, fixtureLimits()) };
    } catch (e) {
      return { error: { name: (e as Error).name, message: (e as Error).message } };
    }
  },

  /** Puts a checkpoint of `bytes` random bytes; a refusal comes back as its name and message. */
  async putBigCheckpoint(db: string, version: number, bytes: number) {
    const c = fixtureCheckpoint(version, bytes);
    try {
      await (await storeOf(db)).putCheckpoint(version, c.bytes, c.manifest);
      return { ok: true };
    } catch (e) {
      return { error: { name: (e as Error).name, message: (e as Error).message, cause: String((e as Error).cause) } };
    }
  },

  /** The v0 prototype layout, written raw with idb-keyval before the store opens the database. */
  async writeV0(db: string) {
    const raw = createStore(db, 'records');
    const f = fixtureSession(5, 'old', 2);
    await set('session:old', f.session, raw);
    for (const { policy_version, status: _s, ...t } of f.turns) await set(`turn:old:${t.turn}`, { ...t, version: policy_version }, raw);
    const c = fixtureCheckpoint(3, 64);
    await set('checkpoint:3', { version: 3, ...c }, raw);
    await set('serving', 3, raw);
    return f;
  },

  async open(db: string) {
    try {
      await storeOf(db);
      return 'ok';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  },

  /** How many random key pairs `compareKeys` orders differently from `indexedDB.cmp`. */
  keyOrderDisagreements(n: number, seed: number) {
    const rng = createRng(seed);
    const part = () => (rng() < 0.5 ? randomInt(rng, 20) - 5 + (rng() < 0.2 ? 0.25 : 0) : ['', 'a', 'ab', 'b', 'é', 'Z', '10', '9', '🙂'][randomInt(rng, 9)]);
    const key = (): StoreKey => (rng() < 0.3 ? part() : Array.from({ length: randomInt(rng, 4) }, part));
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      const [a, b] = [key(), key()];
      if (Math.sign(compareKeys(a, b)) !== indexedDB.cmp(a, b)) bad.push(JSON.stringify([a, b]));
    }
    return bad;
  },
};

export type StoreTestApi = typeof api;
(window as unknown as { storeTest: StoreTestApi }).storeTest = api;
document.getElementById('status')!.textContent = 'ready';
