/**
 * The serving gate (serving-gate.ts) on real tfjs-wasm kernels, with a second thread as the decoding policy: a
 * background kernel waits while serving goes first and a reply decodes, runs at once when either is off, gives
 * the same numbers as before it was gated, waits as long as decoding steps keep coming, and no longer than
 * MAX_WAIT_MS once they stop (a policy that died decoding).
 * Then the loop's side: serving goes first only while no pending sample is within one update of going stale.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Worker } from 'node:worker_threads';
import { FREE_MS, MAX_WAIT_MS, decodingMarker, servingGateBuffer, setServingFirst, yieldToServing } from '../../src/workers/serving-gate.ts';
import { validateSettings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop } from '../../src/workers/online-loop.ts';
import type { CheckpointBlob } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint } from '../support/random-checkpoint.ts';

/** A product and a softmax of fresh random inputs: the kernels a forward pass runs. */
function compute(seed: number): Float32Array {
  return tf.tidy(() => tf.softmax(tf.matMul(tf.randomNormal([7, 13], 0, 1, 'float32', seed), tf.randomNormal([13, 5], 0, 1, 'float32', seed + 1))).dataSync() as Float32Array);
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

/**
 * Another thread as the policy (decodingMarker's protocol): a step every `stepMs`, then the end of decoding
 * after `ms`.
 */
function decodeFor(buffer: SharedArrayBuffer, ms: number, stepMs: number): Promise<void> {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const state = new Int32Array(workerData);
     const steps = setInterval(() => Atomics.add(state, 2, 1), ${stepMs});
     setTimeout(() => { clearInterval(steps); Atomics.sub(state, 0, 1); Atomics.notify(state, 0); process.exit(0); }, ${ms});`,
    { eval: true, workerData: buffer },
  );
  return new Promise((resolve) => worker.on('exit', () => resolve()));
}

describe('the serving gate', () => {
  let buffer: SharedArrayBuffer;
  const before: Float32Array[] = [];

  beforeAll(async () => {
    await tf.setBackend('wasm');
    for (const seed of [1, 2, 3]) before.push(compute(seed));
    buffer = servingGateBuffer(2)!;
    yieldToServing(buffer);
    yieldToServing(buffer); // a second init wraps nothing twice
  });

  it('is made only where the cores are few', () => {
    expect(servingGateBuffer(4)).toBeNull();
    expect(servingGateBuffer(16)).toBeNull();
    expect(servingGateBuffer(2)).toBeInstanceOf(SharedArrayBuffer);
    expect(servingGateBuffer(3)).toBeInstanceOf(SharedArrayBuffer);
  });

  it('a gated kernel computes what it computed before', () => {
    expect([1, 2, 3].map((seed) => compute(seed))).toEqual(before);
  });

  it('a background kernel waits while a reply decodes and serving goes first, until the decoding ends, longer than MAX_WAIT_MS while steps come', async () => {
    const decoding = decodingMarker(buffer);
    setServingFirst(buffer, true);
    decoding('start');
    const ended = decodeFor(buffer, MAX_WAIT_MS + 200, 10);
    let out: Float32Array | null = null;
    const waited = timed(() => (out = compute(1)));
    await ended;
    expect(waited).toBeGreaterThanOrEqual(MAX_WAIT_MS + 150);
    expect(waited).toBeLessThan(MAX_WAIT_MS + 1500);
    expect(out).toEqual(before[0]);
  });

  it('runs at once when serving does not go first, or nothing decodes', () => {
    const decoding = decodingMarker(buffer);
    setServingFirst(buffer, false);
    decoding('start');
    expect(timed(() => compute(2))).toBeLessThan(MAX_WAIT_MS / 2);
    decoding('end');
    setServingFirst(buffer, true);
    expect(timed(() => compute(3))).toBeLessThan(MAX_WAIT_MS / 2);
  });

  it('waits at most MAX_WAIT_MS for a policy that never ends decoding, then lets the background run for FREE_MS', () => {
    const decoding = decodingMarker(buffer);
    setServingFirst(buffer, true);
    decoding('start');
    try {
      const waited = timed(() => tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()));
      expect(waited).toBeGreaterThanOrEqual(MAX_WAIT_MS - 5);
      // the next kernels (a product, a softmax, a read) run unwaited: a stuck mark does not slow every kernel
      expect(timed(() => compute(1))).toBeLessThan(MAX_WAIT_MS / 2);
      expect(FREE_MS).toBeGreaterThanOrEqual(4 * MAX_WAIT_MS);
    } finally {
      decoding('end');
      setServingFirst(buffer, false);
    }
  });
});

describe("the loop's side", () => {
  let initial: CheckpointBlob;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    initial = await randomCheckpoint(3);
  });

  it('serving goes first while the background keeps up, not while a pending sample is one update from going stale', async () => {
    for (const maxStaleness of [4, 1]) {
      const e = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
      await Promise.all([e.policy.init('wasm'), e.signal.init('wasm'), e.trainer.init('wasm')]);
      const asked: boolean[] = [];
      const store = await MemoryStore.open();
      // B large: the sample stays pending; with maxStaleness = 1 a sample of the serving version is already at the edge.
      const settings = validateSettings({ batchSize: 8, maxTokens: 16, maxStaleness });
      const loop = new OnlineLoop({ ...e, servingFirst: (on) => asked.push(on) }, store, settings);
      await loop.start(initial);
      const session = await loop.newSession();
      await loop.send(session.id, 'What is the capital of Peru?');
      await loop.send(session.id, 'why is it in capitals? use lowercase');
      await loop.idle();
      await new Promise((r) => setTimeout(r, 50)); // the last queue state's store read
      expect(await store.listSamples({ status: 'pending' })).toHaveLength(1);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.at(-1)).toBe(maxStaleness > 1);
    }
  });
});
