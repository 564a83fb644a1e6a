/**
 * The online loop on a Hugging Face model (`start({ hf })`): replies and signals run on the model's own
 * vocabulary, samples are recorded, and nothing trains the frozen base (no adapter yet): the trainer is never
 * loaded or called, however many samples are pending, and `idle()` returns.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { validateSettings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { OnlineLoop } from '../../src/workers/online-loop.ts';
import type { TrainerEngineApi } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';

let root: string;
let files: Record<string, Uint8Array>;

beforeAll(async () => {
  await tf.setBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'nextstate-loop-hf-'));
  const model = writeTinyHfCheckpoint(join(root, 'm'), { family: 'llama', dtype: 'bf16', seed: 11 });
  files = Object.fromEntries(readdirSync(model.dir).map((f) => [f, new Uint8Array(readFileSync(join(model.dir, f)))]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('OnlineLoop on a frozen Hugging Face base', () => {
  it('serves and signals on the model, records samples, and never trains it', async () => {
    const trainerCalls: string[] = [];
    const trainer: TrainerEngineApi = {
      init: async () => ({ backend: 'wasm', reason: 'test' }),
      load: async () => void trainerCalls.push('load'),
      proximal: async () => {
        trainerCalls.push('proximal');
        throw new Error('the frozen base must not be trained');
      },
      update: async () => {
        trainerCalls.push('update');
        throw new Error('the frozen base must not be trained');
      },
    };
    const policy = new PolicyEngine();
    const signal = new SignalEngine(builtinJudgeBackend);
    await Promise.all([policy.init('wasm'), signal.init('wasm')]);
    const store = await MemoryStore.open();
    const settings = validateSettings({ batchSize: 1, maxTokens: 8, seed: 3 });
    const errors: Error[] = [];
    const loop = new OnlineLoop({ policy, signal, trainer }, store, settings, { error: (_w, e) => void errors.push(e) });
    await loop.start({ hf: { kind: 'files', name: 'tiny-llama', files } });
    expect((await policy.info())?.preset).toBe('llama');
    expect(loop.trainingOff).toMatch(/needs an adapter/);

    const session = await loop.newSession();
    const first = await loop.send(session.id, 'What is the capital of Peru?');
    expect(first.prompt_text).toBe('<|im_start|>user\nWhat is the capital of Peru?<|im_end|>\n<|im_start|>assistant\n');
    await loop.send(session.id, 'No, that is wrong. The capital of Peru is Lima.');
    await loop.send(session.id, 'Still wrong, you should say Lima.');
    await loop.idle();
    const samples = await store.listSamples();
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.status === 'pending' && s.policy_version === 0)).toBe(true);
    expect(samples.flatMap((s) => s.response_ids).every((id) => id < 266 + 5)).toBe(true);
    expect(trainerCalls).toEqual([]);
    expect(errors).toEqual([]);
    expect(loop.version).toBe(0);
    await expect(loop.rollback(0)).rejects.toThrow(/needs an adapter/);
  });
});
