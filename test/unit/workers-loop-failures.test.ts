/**
 * The online loop over the real engines and the memory store when things go wrong (issue 18 items 1, 2, 6):
 * re-importing one's own export keeps learning (the trainer names the stored, renamed sample ids); imported
 * samples train only when the visitor asks; a batch whose update keeps failing is retried with backoff, then
 * set aside as `failed` with its error, and the next batch trains.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { validateSettings } from '../../src/rl/settings.ts';
import { recordLimits } from '../../src/rl/record-validate.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop, type LoopEngines } from '../../src/workers/online-loop.ts';
import { turnKey, type CheckpointBlob } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint } from '../support/random-checkpoint.ts';
import { fixtureSession, writeFixture } from '../browser/pages/store-fixtures.ts';

let initial: CheckpointBlob;
const settings = validateSettings({ batchSize: 8, maxTokens: 16, lr: 1e-3 });

async function engines(): Promise<LoopEngines> {
  const e = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([e.policy.init('wasm'), e.signal.init('wasm'), e.trainer.init('wasm')]);
  return e;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(11);
});

describe('OnlineLoop with imports and failing updates', () => {
  it('re-importing its own export: imported samples stay foreign until asked, then an update commits on their renamed ids', async () => {
    const store = await MemoryStore.open();
    const errors: string[] = [];
    const loop = new OnlineLoop(await engines(), store, settings, { error: (where, e) => errors.push(`${where}: ${e.message}`) });
    await loop.start(initial);
    const session = await loop.newSession();
    for (const text of ['What is the capital of Peru?', 'way too long, one short sentence please', 'why is it in capitals? use lowercase']) {
      await loop.send(session.id, text);
    }
    await loop.idle();
    const own = await store.listSamples({ status: 'pending' });
    expect(own.map((s) => s.turn)).toEqual([1, 2]);

    const { files } = await store.exportSessions();
    const imported = await store.importSessions(files, recordLimits(initial.manifest.config.vocabSize));
    const copyId = imported.renamed[session.id];
    expect(copyId).toBeDefined();
    const copies = await store.listSamples({ sessionId: copyId });
    expect(copies.map((s) => s.status)).toEqual(['foreign', 'foreign']);
    // Sample ids collided and were renamed: neither the original id nor the copy's turn key names them.
    for (const s of copies) {
      expect(own.map((o) => o.id)).not.toContain(s.id);
      expect(s.id).not.toBe(turnKey(copyId, s.turn));
    }

    // The visitor's own samples train; the imported ones, version 0 like them, do not (item 6).
    loop.setSettings({ ...settings, batchSize: 2 });
    await loop.idle();
    expect(loop.version).toBe(1);
    expect((await store.listSamples({ sessionId: session.id })).map((s) => s.trained_in_update)).toEqual([1, 1]);
    expect((await store.listSamples({ sessionId: copyId })).map((s) => s.status)).toEqual(['foreign', 'foreign']);

    // Asked to, the loop trains them, and the update names their stored (renamed) ids (item 1).
    expect(await loop.trainImported()).toBe(2);
    await loop.idle();
    expect(errors).toEqual([]);
    expect(loop.version).toBe(2);
    expect(await store.getServingVersion()).toBe(2);
    const trained = await store.listSamples({ sessionId: copyId });
    expect(trained.map((s) => [s.id, s.status, s.trained_in_update])).toEqual(copies.map((s) => [s.id, 'trained', 2]));
    expect((await store.listTurns(copyId)).slice(0, 2).map((t) => t.status)).toEqual(['trained', 'trained']);
  });

  it('a batch that fails every time is retried with backoff, then set aside as failed; the next batch trains; a retry trains it', async () => {
    const store = await MemoryStore.open();
    const fixture = fixtureSession(77, 'poison', 9);
    for (const s of fixture.samples) s.policy_version = 0;
    await writeFixture(store, fixture);
    expect(fixture.samples.length).toBeGreaterThanOrEqual(4);

    const real = await engines();
    let poison: string | null = null;
    const calls: { ids: string[]; at: number }[] = [];
    const trainer: LoopEngines['trainer'] = {
      init: (b) => real.trainer.init(b),
      load: (...args) => real.trainer.load(...args),
      proximal: (...args) => real.trainer.proximal(...args),
      update: async (samples, s, version) => {
        // A worker answers in a later task, never synchronously.
        await new Promise((r) => setTimeout(r, 1));
        const ids = samples.map((x) => x.id);
        calls.push({ ids, at: performance.now() });
        poison ??= ids.join();
        if (ids.join() === poison) throw new RangeError('GatherV2: index 4000 is not in [0, 104)');
        return real.trainer.update(samples, s, version);
      },
    };
    const errors: string[] = [];
    const failed: string[][] = [];
    const loop = new OnlineLoop({ ...real, trainer }, store, { ...settings, batchSize: 2 }, {
      error: (where, e) => errors.push(`${where}: ${e.message}`),
      failed: (ids) => failed.push(ids),
    });
    Object.assign(loop.updateRetry, { first: 40, max: 60, attempts: 3 });
    await loop.start(initial);
    // Bounded, so a loop that retries at once forever fails here instead of hanging the suite.
    await Promise.race([loop.idle(), new Promise((r) => setTimeout(r, 5000))]);

    const poisoned = poison!.split(',');
    const tries = calls.filter((c) => c.ids.join() === poison);
    // Three tries, not a hot loop: 40 ms, then 60 ms (capped) between them.
    expect(tries).toHaveLength(3);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(35);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(55);
    expect(errors.filter((e) => e.startsWith('update:'))).toHaveLength(3);
    expect(failed).toEqual([poisoned]);
    for (const s of await store.listSamples()) {
      if (poisoned.includes(s.id)) {
        expect(s.status).toBe('failed');
        expect(s.error).toBe('RangeError: GatherV2: index 4000 is not in [0, 104)');
      }
    }
    // Every other full batch trained, each once.
    const others = fixture.samples.length - 2;
    expect(loop.version).toBe(Math.floor(others / 2));
    expect(calls).toHaveLength(3 + Math.floor(others / 2));
    expect((await store.listSamples({ status: 'trained' })).length).toBe(2 * Math.floor(others / 2));

    // Failed samples are exported with their error and come back failed.
    const { files } = await store.exportSessions();
    const copy = await MemoryStore.open();
    await copy.importSessions(files, recordLimits(initial.manifest.config.vocabSize));
    expect((await copy.listSamples({ status: 'failed' })).map((s) => s.error)).toEqual(poisoned.map(() => 'RangeError: GatherV2: index 4000 is not in [0, 104)'));

    // The visitor retries them once the cause is gone: they train.
    poison = 'cured';
    expect(await loop.retryFailed()).toBe(2);
    await loop.idle();
    for (const id of poisoned) expect((await store.listSamples()).find((s) => s.id === id)?.status).toBe('trained');
  });

  it('a trainer that fails every batch is not hammered: the wait keeps doubling across batches', async () => {
    const store = await MemoryStore.open();
    const fixture = fixtureSession(78, 'broken', 9);
    for (const s of fixture.samples) s.policy_version = 0;
    await writeFixture(store, fixture);
    const batches = Math.floor(fixture.samples.length / 2);
    expect(batches).toBeGreaterThanOrEqual(2);
    const real = await engines();
    const at: number[] = [];
    const trainer: LoopEngines['trainer'] = {
      init: (b) => real.trainer.init(b),
      load: (...args) => real.trainer.load(...args),
      proximal: (...args) => real.trainer.proximal(...args),
      update: async () => {
        await new Promise((r) => setTimeout(r, 1));
        at.push(performance.now());
        throw new Error('the trainer worker is gone');
      },
    };
    const loop = new OnlineLoop({ ...real, trainer }, store, { ...settings, batchSize: 2 }, {});
    Object.assign(loop.updateRetry, { first: 20, max: 10_000, attempts: 2 });
    await loop.start(initial);
    await Promise.race([loop.idle(), new Promise((r) => setTimeout(r, 10_000))]);
    // Each batch: a try, a wait of 20·2^(failures so far − 1) ms, a second try, set aside; the next batch starts at once.
    expect(at).toHaveLength(2 * batches);
    for (let b = 0; b < batches; b++) expect(at[2 * b + 1] - at[2 * b]).toBeGreaterThanOrEqual(0.9 * 20 * 2 ** (2 * b));
    expect((await store.listSamples({ status: 'failed' })).length).toBe(2 * batches);
    expect(loop.version).toBe(0);
  });
});
