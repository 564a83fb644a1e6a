import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { MemoryStore, SecretRefusedError, StoreConflictError } from '../../src/store/index.ts';
import type { StoredTurn } from '../../src/store/index.ts';
import { fixtureCheckpoint, fixtureSession, writeFixture, fixtureLimits } from '../browser/pages/store-fixtures.ts';

async function openWithBackend() {
  const backend = new MemoryBackend();
  return { backend, store: await MemoryStore.open({ backend }) };
}
const dump = (backend: MemoryBackend) => backend.read((tx) => tx.entries([]));

describe('MemoryStore sessions', () => {
  it('puts, gets, lists most recent first, renames', async () => {
    const store = await MemoryStore.open();
    const a = fixtureSession(1, 'a', 0).session;
    const b = { ...fixtureSession(2, 'b', 0).session, updatedAt: a.updatedAt + 5 };
    await store.putSession(a);
    await store.putSession(b);
    expect(await store.getSession('a')).toEqual(a);
    expect(await store.getSession('zzz')).toBeUndefined();
    expect((await store.listSessions()).map((s) => s.id)).toEqual(['b', 'a']);
    const renamed = await store.renameSession('a', 'Units, renamed');
    expect(renamed.title).toBe('Units, renamed');
    expect(renamed.updatedAt).toBeGreaterThanOrEqual(a.updatedAt);
    expect((await store.getSession('a'))?.title).toBe('Units, renamed');
    expect((await store.listSessions())[0].id).toBe('a');
    await expect(store.renameSession('nope', 'x')).rejects.toBeInstanceOf(StoreConflictError);
  });

  it('deleteSession removes the session with its turns, judges and samples, and nothing of others', async () => {
    const store = await MemoryStore.open();
    const one = fixtureSession(11, 'one', 4);
    const two = fixtureSession(12, 'two', 4);
    // "one-x" shares a prefix with "one": the key ranges must not mix them up.
    const three = fixtureSession(13, 'one-x', 2);
    for (const f of [one, two, three]) await writeFixture(store, f);
    expect(one.samples.length + two.samples.length).toBeGreaterThan(0);
    await store.deleteSession('one');
    expect(await store.getSession('one')).toBeUndefined();
    expect(await store.listTurns('one')).toEqual([]);
    expect(await store.listJudges('one')).toEqual([]);
    expect(await store.listSamples({ sessionId: 'one' })).toEqual([]);
    expect(await store.listTurns('two')).toEqual(two.turns);
    expect(await store.listTurns('one-x')).toEqual(three.turns);
    expect(await store.listSamples()).toEqual([...two.samples, ...three.samples].sort((x, y) => (x.id < y.id ? -1 : 1)));
    expect(await store.listJudges()).toHaveLength(two.judges.length + three.judges.length);
  });
});

describe('MemoryStore turns and next states', () => {
  it('stores turns in numeric turn order per session, bumps the session, returns copies', async () => {
    const store = await MemoryStore.open();
    const f = fixtureSession(21, 'chat', 12);
    await store.putSession(f.session);
    for (const t of [...f.turns].reverse()) await store.putTurn(t);
    expect((await store.listTurns('chat')).map((t) => t.turn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await store.getTurn('chat', 7)).toEqual(f.turns[6]);
    expect((await store.getSession('chat'))?.updatedAt).toBe(f.turns[11].timestamp);
    const copy = (await store.getTurn('chat', 1))!;
    copy.response_text = 'mutated';
    expect((await store.getTurn('chat', 1))?.response_text).toBe(f.turns[0].response_text);
    await expect(store.putTurn({ ...f.turns[0], session_id: 'ghost' })).rejects.toBeInstanceOf(StoreConflictError);
  });

  it('listTurns() without a session lists every session in id then turn order', async () => {
    const store = await MemoryStore.open();
    for (const [seed, id] of [[31, 'b'], [32, 'a'], [33, 'ab']] as const) await writeFixture(store, fixtureSession(seed, id, 3));
    expect((await store.listTurns()).map((t) => `${t.session_id}:${t.turn}`)).toEqual(
      ['a:1', 'a:2', 'a:3', 'ab:1', 'ab:2', 'ab:3', 'b:1', 'b:2', 'b:3']);
  });

  it('recordNextState writes the next state and pends signals; replaces until signals are done; refuses after', async () => {
    const { backend, store } = await openWithBackend();
    const f = fixtureSession(41, 'n', 2);
    await writeFixture(store, f);
    const open = f.turns[1];
    expect(open.status).toBe('awaiting_next_state');
    const first = await store.recordNextState('n', 2, { role: 'user', content: 'make it shorter' });
    expect(first.status).toBe('pending_signals');
    // Durable in the backend itself, not only in the returned object.
    const raw = await backend.read((tx) => tx.get<StoredTurn>(['turn', 'n', 2]));
    expect(raw?.next_state).toEqual({ role: 'user', content: 'make it shorter' });
    const replaced = await store.recordNextState('n', 2, { role: 'tool', content: 'error: 404' });
    expect(replaced.next_state).toEqual({ role: 'tool', content: 'error: 404' });
    await store.updateTurn('n', 2, { status: 'signals_done' });
    await expect(store.recordNextState('n', 2, { role: 'user', content: 'other' })).rejects.toBeInstanceOf(StoreConflictError);
    const same = await store.recordNextState('n', 2, { role: 'tool', content: 'error: 404' });
    expect(same.status).toBe('signals_done');
    await expect(store.recordNextState('n', 9, { role: 'user', content: 'x' })).rejects.toThrow(/no turn 9/);
  });

  it('updateTurn changes only the loop fields it is given', async () => {
    const store = await MemoryStore.open();
    const f = fixtureSession(42, 'u', 2);
    await writeFixture(store, f);
    const updated = await store.updateTurn('u', 1, { status: 'no_sample', error: 'judge unreachable' });
    expect(updated).toEqual({ ...f.turns[0], status: 'no_sample', error: 'judge unreachable' });
    expect(await store.getTurn('u', 1)).toEqual(updated);
  });
});

describe('MemoryStore judges, samples, metrics', () => {
  it('keeps one evaluative and one directive record per turn and lists by session', async () => {
    const store = await MemoryStore.open();
    const f = fixtureSession(51, 'j', 4);
    const g = fixtureSession(52, 'k', 3);
    await writeFixture(store, f);
    await writeFixture(store, g);
    // Key order: by turn, then 'directive' before 'evaluative'.
    const byTurnThenSignal = [...f.judges].sort((x, y) => x.turn - y.turn || Number('accepted' in y) - Number('accepted' in x));
    expect(await store.listJudges('j')).toEqual(byTurnThenSignal);
    expect(await store.listJudges()).toHaveLength(f.judges.length + g.judges.length);
    const again = { session_id: 'j', turn: 1, score: -1 as const, votes: [-1, -1, -1] as (-1 | 0 | 1 | null)[] };
    await store.putJudge(again);
    const turnOne = (await store.listJudges('j')).filter((r) => r.turn === 1);
    expect(turnOne).toHaveLength(2);
    expect(turnOne.find((r) => !('accepted' in r))).toEqual(again);
    await expect(store.putJudge({ ...again, turn: 99 })).rejects.toBeInstanceOf(StoreConflictError);
  });

  it('filters samples by status and session', async () => {
    const store = await MemoryStore.open();
    const fixtures = [fixtureSession(61, 'p', 6), fixtureSession(62, 'q', 6)];
    for (const f of fixtures) await writeFixture(store, f);
    const all = fixtures.flatMap((f) => f.samples);
    expect(all.length).toBeGreaterThan(2);
    const trained = { ...all[0], status: 'trained' as const, trained_in_update: 1 };
    await store.putSample(trained);
    expect((await store.listSamples()).length).toBe(all.length);
    expect(await store.listSamples({ status: 'trained' })).toEqual([trained]);
    expect((await store.listSamples({ status: 'pending' })).map((s) => s.id).sort()).toEqual(all.slice(1).map((s) => s.id).sort());
    expect((await store.listSamples({ sessionId: 'q' })).every((s) => s.session_id === 'q')).toBe(true);
    await expect(store.putSample({ ...all[0], id: 'x', turn: 42 })).rejects.toBeInstanceOf(StoreConflictError);
  });

  it('lists metrics in numeric version order', async () => {
    const store = await MemoryStore.open();
    for (const version of [10, 2, 1]) await store.putMetrics({ version, loss: version / 10 });
    expect((await store.listMetrics()).map((m) => m.version)).toEqual([1, 2, 10]);
    expect((await store.listMetrics())[2]).toEqual({ version: 10, loss: 1 });
  });
});

describe('MemoryStore checkpoints, updates, rollback', () => {
  it('stores checkpoint bytes exactly (a view is stored as its own bytes) and lists versions numerically', async () => {
    const store = await MemoryStore.open();
    const { bytes, manifest } = fixtureCheckpoint(7, 1000);
    const padded = new Uint8Array(3000);
    padded.set(bytes, 1000);
    await store.putCheckpoint(10, padded.subarray(1000, 2000), manifest);
    await store.putCheckpoint(2, bytes, manifest);
    const got = await store.getCheckpoint(10);
    expect(got?.manifest).toEqual(manifest);
    expect(got?.bytes.byteLength).toBe(1000);
    expect(got?.bytes.buffer.byteLength).toBe(1000);
    expect(Array.from(got!.bytes)).toEqual(Array.from(bytes));
    expect(await store.listCheckpointVersions()).toEqual([2, 10]);
    expect(await store.getCheckpoint(3)).toBeUndefined();
  });

  it('serves only saved versions and will not delete the one being served', async () => {
    const store = await MemoryStore.open();
    const c = fixtureCheckpoint(1, 64);
    await store.putCheckpoint(0, c.bytes, c.manifest);
    await store.putCheckpoint(1, c.bytes, c.manifest);
    expect(await store.getServingVersion()).toBeUndefined();
    await expect(store.setServingVersion(5)).rejects.toBeInstanceOf(StoreConflictError);
    await store.setServingVersion(1);
    expect(await store.getServingVersion()).toBe(1);
    await expect(store.deleteCheckpoint(1)).rejects.toBeInstanceOf(StoreConflictError);
    await store.deleteCheckpoint(0);
    expect(await store.listCheckpointVersions()).toEqual([1]);
  });

  it('commitUpdate writes checkpoint, trained samples and turns, metrics and serving version together; rollback keeps later versions', async () => {
    const store = await MemoryStore.open();
    const f = fixtureSession(71, 'c', 8);
    await writeFixture(store, f);
    const c0 = fixtureCheckpoint(0, 128);
    await store.putCheckpoint(0, c0.bytes, c0.manifest);
    await store.setServingVersion(0);
    const trainedIds = f.samples.slice(0, 2).map((s) => s.id);
    expect(trainedIds.length).toBe(2);
    const c1 = fixtureCheckpoint(1, 256);
    await store.commitUpdate({ version: 1, checkpoint: c1, trainedSampleIds: trainedIds, metrics: { loss: 0.5, samples: 2 } });
    expect(await store.getServingVersion()).toBe(1);
    expect(Array.from((await store.getCheckpoint(1))!.bytes)).toEqual(Array.from(c1.bytes));
    expect(await store.listMetrics()).toEqual([{ version: 1, loss: 0.5, samples: 2 }]);
    for (const s of await store.listSamples()) {
      const trained = trainedIds.includes(s.id);
      expect(s.status).toBe(trained ? 'trained' : 'pending');
      expect(s.trained_in_update).toBe(trained ? 1 : undefined);
      const turn = await store.getTurn(s.session_id, s.turn);
      expect(turn?.status).toBe(trained ? 'trained' : 'sampled');
      expect(turn?.trained_in_update).toBe(trained ? 1 : undefined);
    }
    expect(await store.getOptimizer()).toBeUndefined();
    await store.commitUpdate({ version: 2, checkpoint: fixtureCheckpoint(2, 64), optimizer: { version: 2, bytes: new Uint8Array([1, 2, 3]) }, trainedSampleIds: [], metrics: {} });
    expect(await store.getOptimizer()).toEqual({ version: 2, bytes: new Uint8Array([1, 2, 3]) });
    await store.rollback(0);
    expect(await store.getServingVersion()).toBe(0);
    expect(await store.listCheckpointVersions()).toEqual([0, 1, 2]);
    await store.rollback(2);
    expect(await store.getServingVersion()).toBe(2);
    await expect(store.rollback(7)).rejects.toBeInstanceOf(StoreConflictError);
  });

  it('a refused commitUpdate changes nothing at all', async () => {
    const { backend, store } = await openWithBackend();
    const f = fixtureSession(72, 'r', 8);
    await writeFixture(store, f);
    const c0 = fixtureCheckpoint(0, 128);
    await store.putCheckpoint(0, c0.bytes, c0.manifest);
    await store.setServingVersion(0);
    const before = await dump(backend);
    const ids = f.samples.map((s) => s.id);
    // The last id is unknown: the earlier ones were already marked inside the transaction, and must not land.
    const bad = { version: 1, checkpoint: fixtureCheckpoint(1, 64), trainedSampleIds: [...ids, 'missing'], metrics: { loss: 1 } };
    await expect(store.commitUpdate(bad)).rejects.toThrow(/"missing", which is not stored/);
    await expect(store.commitUpdate({ ...bad, version: 0, trainedSampleIds: ids })).rejects.toThrow(/already saved/);
    await store.commitUpdate({ ...bad, trainedSampleIds: ids.slice(0, 1) });
    const after = await dump(backend);
    await expect(store.commitUpdate({ ...bad, version: 2, trainedSampleIds: ids.slice(0, 1) })).rejects.toThrow(/already trained/);
    expect(await dump(backend)).toEqual(after);
    expect(after.length).toBe(before.length + 2);
  });
});

describe('MemoryStore adapter versions (issue 13)', () => {
  const base = { name: 'HuggingFaceTB/SmolLM2-135M-Instruct', revision: 'main', sha256: 'ab'.repeat(32) };
  const adapterOf = (seed: number, parentVersion: number | null) => ({
    adapter: { weights: Uint8Array.from({ length: 40 + seed }, (_, i) => (i * seed) % 251), config: { peft_type: 'LORA', r: 8 } },
    base,
    parentVersion,
  });

  it('an adapter version commits with its samples, metrics, Adam state and serving version in one transaction; whole checkpoints and adapters share one numbering', async () => {
    const { backend, store } = await openWithBackend();
    const f = fixtureSession(75, 'a', 8);
    await writeFixture(store, f);
    await store.putAdapter({ version: 0, ...adapterOf(1, null) });
    await expect(store.putAdapter({ version: 0, ...adapterOf(2, null) })).rejects.toThrow(/already saved/);
    const ids = f.samples.map((s) => s.id);
    const before = await dump(backend);
    // a refused commit (an unknown sample last) writes nothing, adapter included
    await expect(store.commitUpdate({ version: 1, adapter: adapterOf(3, 0), trainedSampleIds: [...ids, 'missing'], metrics: {} })).rejects.toThrow(/not stored/);
    expect(await dump(backend)).toEqual(before);
    const optimizer = { version: 1, bytes: new Uint8Array([9, 8, 7]) };
    await store.commitUpdate({ version: 1, adapter: adapterOf(3, 0), optimizer, trainedSampleIds: ids.slice(0, 1), metrics: { loss: 0.25 } });
    const saved = (await store.getAdapter(1))!;
    expect(saved).toEqual({ version: 1, ...adapterOf(3, 0) });
    expect(await store.getCheckpoint(1)).toBeUndefined();
    expect(await store.getServingVersion()).toBe(1);
    expect(await store.getOptimizer()).toEqual(optimizer);
    expect(await store.listMetrics()).toEqual([{ version: 1, loss: 0.25 }]);
    expect((await store.listSamples({ status: 'trained' })).map((s) => s.id)).toEqual(ids.slice(0, 1));
    await expect(store.commitUpdate({ version: 1, adapter: adapterOf(4, 0), trainedSampleIds: [], metrics: {} })).rejects.toThrow(/already saved/);
    // a whole checkpoint is not an adapter and the other way round
    const c2 = fixtureCheckpoint(2, 64);
    await store.commitUpdate({ version: 2, checkpoint: c2, trainedSampleIds: [], metrics: {} });
    expect(await store.getAdapter(2)).toBeUndefined();
    expect(await store.listCheckpointVersions()).toEqual([0, 1, 2]);
    await store.rollback(0);
    expect(await store.getServingVersion()).toBe(0);
    expect((await store.getAdapter(0))!.adapter.weights).toEqual(adapterOf(1, null).adapter.weights);
    await store.rollback(1);
    expect(await store.getServingVersion()).toBe(1);
  });
});

describe('MemoryStore stale samples', () => {
  it('markStale marks pending samples and their turns stale in one transaction, refuses others, and export/import keep them', async () => {
    const { backend, store } = await openWithBackend();
    const f = fixtureSession(73, 's', 6);
    await writeFixture(store, f);
    const ids = f.samples.map((s) => s.id);
    expect(ids.length).toBeGreaterThan(2);
    const before = await dump(backend);
    await expect(store.markStale([ids[0], 'missing'])).rejects.toThrow(/"missing" is not stored/);
    expect(await dump(backend)).toEqual(before);
    await store.markStale(ids.slice(0, 2));
    for (const s of await store.listSamples()) {
      const stale = ids.slice(0, 2).includes(s.id);
      expect(s.status).toBe(stale ? 'stale' : 'pending');
      expect((await store.getTurn(s.session_id, s.turn))?.status).toBe(stale ? 'stale' : 'sampled');
    }
    await expect(store.markStale([ids[0]])).rejects.toThrow(/is stale, not pending/);
    const copy = await MemoryStore.open();
    await copy.importSessions((await store.exportSessions()).files, fixtureLimits());
    expect((await copy.listSamples({ status: 'stale' })).map((s) => s.id).sort()).toEqual(ids.slice(0, 2).sort());
  });
});

describe('MemoryStore settings', () => {
  it('round-trips the settings object and refuses secret-named fields anywhere in it', async () => {
    const store = await MemoryStore.open();
    expect(await store.getSettings()).toBeUndefined();
    const settings = { k: 4, maxTokens: 64, judge: { url: 'http://localhost:8787', model: 'rules' }, batchSize: 4 };
    await store.putSettings(settings);
    expect(await store.getSettings()).toEqual(settings);
    for (const secret of [{ apiKey: 'sk-1' }, { judge: { api_key: 'sk-2' } }, { token: 't' }, { remote: [{ key: 'x' }] }]) {
      await expect(store.putSettings({ ...settings, ...secret })).rejects.toBeInstanceOf(SecretRefusedError);
    }
    expect(await store.getSettings()).toEqual(settings);
  });
});
