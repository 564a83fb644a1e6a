/**
 * The experiment on a loaded Hugging Face model (issue 13): the simulated users run through the same loop,
 * which trains the model's LoRA adapter; on a random tiny model this proves the wiring only (updates happen,
 * later replies come from adapter versions, the hint-follow probe's teacher is the base), not learning.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { ENVIRONMENT_SETTINGS, EXPERIMENT_SETTINGS, runEnvironmentExperiment, runExperiment } from '../../src/experiments/index.ts';
import type { ModelSource } from '../../src/workers/protocol.ts';

let root: string;
let initial: ModelSource;

beforeAll(async () => {
  await tf.setBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'nextstate-experiments-hf-'));
  const dir = writeTinyHfCheckpoint(join(root, 'm'), { family: 'qwen2', seed: 21 }).dir;
  initial = { hf: { kind: 'files', name: 'tiny-qwen2', files: Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))])) } };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runExperiment on a loaded Hugging Face model', () => {
  it('runs the simulated user through the loop, training adapter versions that serve later sessions', async () => {
    const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine(), teacher: new PolicyEngine() };
    await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm'), engines.teacher.init('wasm')]);
    const result = await runExperiment(engines, initial, { arm: 'hybrid', preference: 'lowercase', seed: 1, cap: 3 }, { base: { ...EXPERIMENT_SETTINGS, batchSize: 1 } });
    expect(result.sessions.length).toBeGreaterThan(0);
    expect(result.updates).toBeGreaterThan(0);
    expect(Math.max(...result.sessions.map((s) => s.version))).toBeGreaterThan(0);
    expect(result.updateStats?.klToFrozen).toBeGreaterThanOrEqual(0);
    expect((await engines.teacher.info())?.preset).toBe('qwen2');
    expect((await engines.teacher.info())?.version).toBe(0);
  });

  it('refuses an updating arm whose settings train nothing (full fine-tuning of a loaded model) before its first session', async () => {
    const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
    await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
    const replies: unknown[] = [];
    const reply = engines.policy.reply.bind(engines.policy);
    engines.policy.reply = (request, onToken) => (replies.push(request), reply(request, onToken));
    await expect(runExperiment(engines, initial, { arm: 'hybrid', preference: 'brief', seed: 1, cap: 2 }, { base: { ...EXPERIMENT_SETTINGS, finetune: 'full' } }))
      .rejects.toThrow(/^arm hybrid would train nothing: Full fine-tuning does not fit a loaded model/);
    await expect(runEnvironmentExperiment(engines, initial, { environment: 'tool-use', arm: 'grpo', seed: 1, episodes: 1 }, { base: { ...ENVIRONMENT_SETTINGS, finetune: 'full' } }))
      .rejects.toThrow(/^arm grpo would train nothing: Full fine-tuning does not fit a loaded model/);
    expect(replies).toHaveLength(0);
    // The no-updates arm trains nothing by design, and runs.
    const none = await runExperiment(engines, initial, { arm: 'none', preference: 'brief', seed: 1, cap: 2 }, { base: { ...EXPERIMENT_SETTINGS, finetune: 'full' } });
    expect(none.sessions).toHaveLength(2);
  });
});
