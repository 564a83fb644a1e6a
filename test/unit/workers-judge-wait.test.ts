/**
 * When the judge server is unreachable, turns wait in the store and the chat goes on; when the real server
 * comes up (started in another process on 127.0.0.1), the waiting turns are judged (issue 7 connector).
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { createServer } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { validateSettings } from '../../src/rl/settings.ts';
import { judgeServerBackend } from '../../src/connector/judge-server-client.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop, type QueueState } from '../../src/workers/online-loop.ts';
import type { CheckpointBlob } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint, smallConfig } from '../support/random-checkpoint.ts';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';

let initial: CheckpointBlob;
let server: ListeningChild | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(5, smallConfig({ nLayers: 1 }));
});

afterAll(async () => {
  await server?.stop();
});

describe('judge unreachable', () => {
  it('keeps the turn pending and says why, then judges it once the server is up', async () => {
    const port = await freePort();
    const judge = judgeServerBackend({ url: `http://127.0.0.1:${port}`, timeoutMs: 3000, backoff: { retries: 0, baseDelayMs: 10, maxDelayMs: 10 } });
    const engines = { policy: new PolicyEngine(), signal: new SignalEngine(judge), trainer: new TrainerEngine() };
    await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
    const store = await MemoryStore.open();
    const states: QueueState[] = [];
    const loop = new OnlineLoop(engines, store, validateSettings({ maxTokens: 12, batchSize: 8 }), { queue: (q) => states.push(q) });
    loop.retryMs.first = 100;
    loop.retryMs.max = 400;
    await loop.start(initial);
    const session = await loop.newSession();
    await loop.send(session.id, 'What is 2 plus 2?');
    await loop.send(session.id, 'no, that is wrong');
    // The chat goes on while the judge is away.
    const third = await loop.send(session.id, 'hello?');
    expect(third.turn).toBe(3);
    await vi.waitFor(() => expect(states.some((q) => q.judgeWaiting !== null && /unreachable/.test(q.judgeWaiting))).toBe(true), { timeout: 20_000, interval: 50 });
    expect((await store.getTurn(session.id, 1))?.status).toBe('pending_signals');
    expect(await store.listJudges(session.id)).toHaveLength(0);

    server = await spawnListening('server/main.ts', ['--port', String(port)]);
    await loop.idle();
    const judged = await store.listJudges(session.id);
    expect(judged.map((j) => j.turn).sort()).toEqual([1, 1, 2, 2]);
    expect((await store.getTurn(session.id, 1))?.status).toMatch(/^(sampled|no_sample)$/);
    expect(states.at(-1)?.judgeWaiting).toBeNull();
  });
});
