/**
 * The online loop in Node over the real engines and the memory store: next states are written before any
 * signal, a correction becomes a sample, B samples make version n+1, a new loop over the same store resumes
 * unfinished work and serves the latest version, and a quota error stops recording without losing anything.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { validateSettings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop, type LoopEngines } from '../../src/workers/online-loop.ts';
import { sessionLog } from '../../src/workers/session-log.ts';
import type { CheckpointBlob, UpdateMetrics } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint } from '../support/random-checkpoint.ts';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { loadPolicy } from '../../src/model/checkpoint.ts';

/**
 * The numerical rank of a row-major [rows, cols] matrix: Gaussian elimination with complete pivoting (rank-revealing
 * in practice), stopping at the first pivot at or below `tol`.
 */
function numericalRank(m: number[], rows: number, cols: number, tol: number): number {
  const a = Array.from({ length: rows }, (_, i) => m.slice(i * cols, (i + 1) * cols));
  const colOrder = Array.from({ length: cols }, (_, j) => j);
  for (let k = 0; k < Math.min(rows, cols); k++) {
    let [pi, pj] = [k, k];
    for (let i = k; i < rows; i++) for (let j = k; j < cols; j++) if (Math.abs(a[i][colOrder[j]]) > Math.abs(a[pi][colOrder[pj]])) [pi, pj] = [i, j];
    const pivot = a[pi][colOrder[pj]];
    if (Math.abs(pivot) <= tol) return k;
    [a[k], a[pi]] = [a[pi], a[k]];
    [colOrder[k], colOrder[pj]] = [colOrder[pj], colOrder[k]];
    for (let i = k + 1; i < rows; i++) {
      const f = a[i][colOrder[k]] / pivot;
      for (let j = k; j < cols; j++) a[i][colOrder[j]] -= f * a[k][colOrder[j]];
    }
  }
  return Math.min(rows, cols);
}

let initial: CheckpointBlob;
const settings = validateSettings({ batchSize: 2, maxTokens: 16, lr: 1e-3 });

async function engines(): Promise<LoopEngines> {
  const e = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([e.policy.init('wasm'), e.signal.init('wasm'), e.trainer.init('wasm')]);
  return e;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(11);
});

describe('OnlineLoop', () => {
  it('chat → corrections → judged samples → one update per B samples → a new loop resumes at the latest version', async () => {
    const backend = new MemoryBackend();
    const store = await MemoryStore.open({ backend });
    const updates: UpdateMetrics[] = [];
    const loop = new OnlineLoop(await engines(), store, settings, { update: (m) => updates.push(m) });
    await loop.start(initial);
    const session = await loop.newSession();
    const t1 = await loop.send(session.id, 'What is the capital of Peru?');
    expect(t1.turn).toBe(1);
    expect(t1.policy_version).toBe(0);
    await loop.send(session.id, 'way too long, one short sentence please');
    // The next state of turn 1 is in the store as soon as `send` returns, whatever the signal loop does.
    const stored1 = await store.getTurn(session.id, 1);
    expect(stored1?.next_state).toEqual({ role: 'user', content: 'way too long, one short sentence please' });
    await loop.send(session.id, 'why is it in capitals? use lowercase');
    await loop.idle();
    const judges = await store.listJudges(session.id);
    expect(judges.filter((j) => !('accepted' in j)).map((j) => (j as { score: number }).score)).toEqual([-1, -1]);
    expect(updates.map((u) => u.version)).toEqual([1]);
    expect(loop.version).toBe(1);
    const turns = await store.listTurns(session.id);
    expect(turns.map((t) => t.status)).toEqual(['trained', 'trained', 'awaiting_next_state']);
    expect(turns.slice(0, 2).map((t) => t.trained_in_update)).toEqual([1, 1]);
    expect(await store.getServingVersion()).toBe(1);
    // The next reply is written by version 1.
    const t4 = await loop.send(session.id, 'thanks! and what is 3 plus 4?');
    expect(t4.policy_version).toBe(1);
    // The session log is derived from the turns, in order.
    const log = sessionLog(await store.listTurns(session.id));
    expect(log.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);

    await loop.idle();
    // A tab closed right after writing turn 4's next state, before any signal: the record is all there is.
    await store.recordNextState(session.id, 4, { role: 'user', content: 'no, that is wrong' });
    // A second loop over the same store (the reloaded tab): it serves version 1 and judges the pending turn.
    const store2 = await MemoryStore.open({ backend });
    const staleEvents: string[][] = [];
    const engines2 = await engines();
    const optimizersLoaded: (number | null)[] = [];
    const load = engines2.trainer.load.bind(engines2.trainer);
    engines2.trainer.load = (i, s, v, o) => (optimizersLoaded.push(o?.version ?? null), load(i, s, v, o));
    const loop2 = new OnlineLoop(engines2, store2, { ...settings, batchSize: 8 }, { stale: (ids) => staleEvents.push(ids) });
    expect((await store2.getOptimizer())?.version).toBe(1);
    await loop2.start(initial);
    expect(loop2.version).toBe(1);
    // The trainer resumes the Adam state update 1 saved.
    expect(optimizersLoaded).toEqual([1]);
    await loop2.idle();
    expect((await store2.getTurn(session.id, 4))?.status).toBe('sampled');
    expect((await store2.listSamples({ status: 'pending' })).map((x) => x.turn)).toEqual([3, 4]);
    expect((await store2.listJudges(session.id)).filter((j) => j.turn === 4)).toHaveLength(2);
    const again = await loop2.send(session.id, 'ok');
    expect(again.policy_version).toBe(1);

    // Rollback to version 0: served again, and the next update is version 2, not a reused 1.
    await loop2.rollback(0);
    expect(await store2.getServingVersion()).toBe(0);
    const rolled = await loop2.send(session.id, 'that was wrong');
    expect(rolled.policy_version).toBe(0);
    await loop2.send(session.id, 'why is it in capitals? use lowercase');
    loop2.setSettings({ ...settings, batchSize: 2 });
    await loop2.idle();
    expect(loop2.version).toBe(2);
    // After the rollback, samples written by version 1 are not from the policy being trained or its parent
    // (METHOD §7): kept as stale, with their turns, and never trained; version 2 trains on version-0 samples.
    const samples = await store2.listSamples({ sessionId: session.id });
    const stale = samples.filter((x) => x.status === 'stale');
    expect(stale.map((x) => x.turn)).toContain(4);
    expect(staleEvents.flat().sort()).toEqual(stale.map((x) => x.id).sort());
    for (const x of stale) {
      expect(x.policy_version).toBe(1);
      expect((await store2.getTurn(session.id, x.turn))?.status).toBe('stale');
    }
    const inV2 = samples.filter((x) => x.trained_in_update === 2);
    expect(inV2).toHaveLength(2);
    for (const x of inV2) expect(x.policy_version).toBe(0);
    expect((await store2.getCheckpoint(2))?.manifest.training?.parentVersion).toBe(0);
    expect((await store2.getOptimizer())?.version).toBe(2);
    expect((await store2.getCheckpoint(1))?.manifest.training?.parentVersion).toBe(0);
    expect(await store2.listCheckpointVersions()).toEqual([0, 1, 2]);
    expect((await store2.listMetrics()).map((m) => m.version)).toEqual([1, 2]);
    expect((await store2.listMetrics())[1].judgeMs).toBeGreaterThan(0);
  });

  it('a storage quota error stops recording with a message; replies go on; nothing recorded before is lost', async () => {
    const probe = await MemoryStore.open();
    const errors: string[] = [];
    // A budget that fits the checkpoint and a turn or two, not a long chat.
    const store = await MemoryStore.open({ byteBudget: initial.bytes.length * 1.2 + 40_000 });
    const loop = new OnlineLoop(await engines(), store, validateSettings({ ...settings, maxTokens: 48 }), { error: (where, e) => errors.push(`${where}: ${e.name}`) });
    await loop.start(initial);
    const session = await loop.newSession();
    let sent = 0;
    for (; sent < 40 && !loop.recordingStopped; sent++) await loop.send(session.id, `message number ${sent}, please answer`);
    expect(loop.recordingStopped).toMatch(/quota|storage|space/i);
    expect(errors).toContain('store: StorageQuotaError');
    const kept = await store.listTurns(session.id);
    expect(kept.length).toBeGreaterThan(0);
    // Replies still come after recording stopped.
    const more = await loop.send(session.id, 'still there?');
    expect(more.response_ids.length).toBeGreaterThan(0);
    expect((await store.listTurns(session.id)).length).toBe(kept.length);
    void probe;
  });

  it('"Trains: lora" on the built-in model trains a rank-r adapter, saved merged: only the wrapped weights move, by a rank-r change', async () => {
    const store = await MemoryStore.open();
    const lora = validateSettings({ ...settings, finetune: 'lora', loraRank: 2, loraAlpha: 4, lr: 1e-2 });
    const loop = new OnlineLoop(await engines(), store, lora);
    await loop.start(initial);
    expect(loop.trainingOff).toBeNull();
    const session = await loop.newSession();
    await loop.send(session.id, 'What is the capital of Peru?');
    await loop.send(session.id, 'way too long, one short sentence please');
    await loop.send(session.id, 'why is it in capitals? use lowercase');
    await loop.idle();
    expect(loop.version).toBe(1);
    const weightsOf = async (v: number) => {
      const c = (await store.getCheckpoint(v))!;
      const { policy } = await loadPolicy(c.bytes, c.manifest);
      const w = policy.getWeights();
      policy.dispose();
      return w;
    };
    const [w0, w1] = [await weightsOf(0), await weightsOf(1)];
    const wrapped = /^layers\.\d+\.(wq|wk|wv|wo)$/;
    const names = Object.keys(w0);
    expect(names.filter((n) => wrapped.test(n))).toHaveLength(4 * initial.manifest.config.nLayers);
    let moved = 0;
    for (const name of names) {
      const delta = w1[name].map((x, i) => x - w0[name][i]);
      if (!wrapped.test(name)) {
        expect(delta.every((d) => d === 0), name).toBe(true);
        continue;
      }
      // [in, out] = [dModel, out]; the merge rounds W + ΔW to f32 (about 4e-9 here), far below this tolerance
      const [rows, cols] = [initial.manifest.config.dModel, w0[name].length / initial.manifest.config.dModel];
      expect(numericalRank(Array.from(delta), rows, cols, 1e-4 * Math.max(...delta.map(Math.abs))), name).toBeLessThanOrEqual(2);
      if (delta.some((d) => d !== 0)) moved++;
    }
    // B starts at zero, so the first step moves B alone: every wrapped weight changes, by a rank-2 product.
    expect(moved).toBe(4 * initial.manifest.config.nLayers);
    // The next reply is the merged version's.
    expect((await loop.send(session.id, 'thanks')).policy_version).toBe(1);
  });
});
