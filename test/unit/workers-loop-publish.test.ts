/**
 * From next state to serving (METHOD §7, issue 19): a version is published only once its commit is durable
 * (a commit that fails publishes nothing), the drift metric is measured after publishing, by the signal engine
 * on the published weights (checked against an independent float64 exact KL from fresh forward passes of the stored checkpoints), and
 * stored with the metrics; with `batchFill: 'pending'` an update starts on fewer than B samples.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { validateSettings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop } from '../../src/workers/online-loop.ts';
import { loadPolicy } from '../../src/model/checkpoint.ts';
import type { CheckpointBlob, UpdateMetrics } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint } from '../support/random-checkpoint.ts';

let initial: CheckpointBlob;
const settings = validateSettings({ batchSize: 2, maxTokens: 16, lr: 1e-2 });

async function engines() {
  const e = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([e.policy.init('wasm'), e.signal.init('wasm'), e.trainer.init('wasm')]);
  return e;
}

/** Log-softmax rows (float64) of a reply's positions under a stored checkpoint, from its own full forward pass. */
async function replyRows(checkpoint: CheckpointBlob, prompt: number[], response: number[]): Promise<number[][]> {
  const { policy } = await loadPolicy(checkpoint.bytes, checkpoint.manifest);
  const ids = [...prompt, ...response];
  const logits = tf.tidy(() => policy.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.arraySync() as number[][]);
  policy.dispose();
  return response.map((_, t) => {
    const row = logits[prompt.length - 1 + t].map((x) => x / settings.temperature);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    return row.map((x) => x - lse);
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(23);
});

describe('from next state to serving', () => {
  it('publishes a version only once committed, then measures its drift on the published weights and stores it', async () => {
    const store = await MemoryStore.open();
    const order: string[] = [];
    // The first commit fails, as a closed tab's would: nothing may serve that version.
    const commit = store.commitUpdate.bind(store);
    let commits = 0;
    store.commitUpdate = async (u) => {
      if (++commits === 1) {
        order.push(`commit v${u.version} failed`);
        throw new Error('the tab closed mid-commit');
      }
      await commit(u);
      order.push(`commit v${u.version}`);
    };
    const e = await engines();
    const atPublish: { version: number; stored: boolean; serving: number | undefined }[] = [];
    const publish = e.policy.publish.bind(e.policy);
    e.policy.publish = async (u) => {
      order.push(`publish v${u.version}`);
      atPublish.push({ version: u.version, stored: (await store.getCheckpoint(u.version)) !== undefined, serving: await store.getServingVersion() });
      return publish(u);
    };
    const drift = e.signal.drift.bind(e.signal);
    e.signal.drift = (samples, s) => (order.push('drift'), drift(samples, s));
    const updates: UpdateMetrics[] = [];
    const loop = new OnlineLoop(e, store, settings, {
      published: (v) => order.push(`published v${v}`),
      update: (m) => (order.push(`update v${m.version}`), updates.push(m)),
    });
    loop.updateRetry.first = 10;
    await loop.start(initial);
    const session = await loop.newSession();
    await loop.send(session.id, 'What is the capital of Peru?');
    await loop.send(session.id, 'way too long, one short sentence please');
    await loop.send(session.id, 'why is it in capitals? use lowercase');
    await loop.idle();

    expect(order).toEqual(['commit v1 failed', 'commit v1', 'publish v1', 'published v1', 'drift', 'update v1']);
    expect(atPublish).toEqual([{ version: 1, stored: true, serving: 1 }]);
    expect((await e.policy.info())?.version).toBe(0); // swapped in at the next reply
    expect((await loop.send(session.id, 'thanks')).policy_version).toBe(1);

    // The drift is the exact KL(v1 ‖ v0) over the vocabulary (not v0's to itself), averaged over the trained
    // samples' reply positions, from fresh full forward passes of the stored checkpoints.
    const [m] = updates;
    const v1 = (await store.getCheckpoint(1))!;
    let sum = 0;
    let n = 0;
    for (const sample of await store.listSamples({ status: 'trained' })) {
      const current = await replyRows({ bytes: v1.bytes, manifest: v1.manifest }, sample.prompt_ids, sample.response_ids);
      const frozen = await replyRows(initial, sample.prompt_ids, sample.response_ids);
      current.forEach((row, t) => {
        if (sample.loss_mask[t] === 0) return;
        sum += row.reduce((kl, lp, v) => kl + Math.exp(lp) * (lp - frozen[t][v]), 0);
        n++;
      });
    }
    expect(n).toBeGreaterThan(0);
    expect(m.klToFrozen).toBeGreaterThan(0);
    expect(Math.abs(m.klToFrozen - sum / n)).toBeLessThan(1e-3 * (sum / n) + 1e-6);
    // Stored with the version's other metrics.
    const [stored] = await store.listMetrics();
    expect(stored).toMatchObject({ version: 1, klToFrozen: m.klToFrozen, loss: m.loss });
  });

  it("batchFill 'pending': an update starts on whatever is pending when the trainer is free; 'full' waits for B", async () => {
    for (const batchFill of ['full', 'pending'] as const) {
      const store = await MemoryStore.open();
      const updates: UpdateMetrics[] = [];
      const loop = new OnlineLoop(await engines(), store, { ...settings, batchSize: 4, batchFill }, { update: (m) => updates.push(m) });
      await loop.start(initial);
      const session = await loop.newSession();
      await loop.send(session.id, 'What is the capital of Peru?');
      await loop.send(session.id, 'way too long, one short sentence please');
      await loop.idle();
      const samples = await store.listSamples();
      expect(samples).toHaveLength(1);
      if (batchFill === 'full') {
        expect(updates).toHaveLength(0);
        expect(samples[0].status).toBe('pending');
      } else {
        expect(updates.map((u) => [u.version, u.samples])).toEqual([[1, 1]]);
        expect(samples[0].status).toBe('trained');
      }
    }
  });

  it('the drift yields: it is never measured while turns wait for their signals, and a replaced version keeps none', async () => {
    const store = await MemoryStore.open();
    const e = await engines();
    const updates: UpdateMetrics[] = [];
    const published: number[] = [];
    const loop = new OnlineLoop(e, store, { ...settings, batchSize: 1 }, { published: (v) => published.push(v), update: (m) => updates.push(m) });
    const queue = (loop as unknown as { signalQueue: { busy: boolean } }).signalQueue;
    const measured: { version: number; queueBusy: boolean; newest: number }[] = [];
    const drift = e.signal.drift.bind(e.signal);
    e.signal.drift = async (samples, s) => {
      const result = await drift(samples, s);
      measured.push({ version: result.version, queueBusy: queue.busy, newest: Math.max(...published) });
      return result;
    };
    await loop.start(initial);
    const session = await loop.newSession();
    // Back to back: every answer is the last reply's next state and trains a version on its own (B = 1).
    for (const text of ['What is the capital of Peru?', 'way too long, one short sentence please', 'why is it in capitals? use lowercase', 'no, that is wrong', 'too long again, shorter please']) {
      await loop.send(session.id, text);
    }
    await loop.idle();
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(measured.length).toBeGreaterThan(0);
    for (const m of measured) expect(m).toMatchObject({ queueBusy: false, newest: m.version });
    // Each version's drift is measured, or it was replaced before the signal engine was free.
    for (const u of updates) {
      if (Number.isFinite(u.klToFrozen)) expect(measured.some((m) => m.version === u.version)).toBe(true);
      else expect(published.some((v) => v > u.version)).toBe(true);
    }
    // the newest version is replaced by none, so its drift is measured (update events come in the order the
    // measurements end, which a replaced version's wait can put after a newer one's)
    const newest = updates.reduce((a, b) => (b.version > a.version ? b : a));
    expect(newest.version).toBe(Math.max(...published));
    expect(Number.isFinite(newest.klToFrozen)).toBe(true);
  });
});
