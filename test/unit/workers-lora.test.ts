/**
 * The engines on a tiny Hugging Face model with a LoRA adapter learning (issue 13): the trainer trains only the
 * adapter and publishes it as PEFT files; the policy and signal engines put it on their base; a fresh trainer
 * resumes from the saved adapter and Adam state; an adapter for another base is refused and nothing changes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { validateSettings } from '../../src/rl/settings.ts';
import { loraConfigOf } from '../../src/model/adapter/lora.ts';
import { AdapterError } from '../../src/model/adapter/peft.ts';
import type { BatchSample, HfModelLocation } from '../../src/workers/protocol.ts';

let root: string;
let location: HfModelLocation;
let other: HfModelLocation;

function filesOf(dir: string, name: string): HfModelLocation {
  return { kind: 'files', name, files: Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))])) };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'nextstate-lora-engines-'));
  location = filesOf(writeTinyHfCheckpoint(join(root, 'a'), { family: 'llama', seed: 3 }).dir, 'tiny-llama');
  // the same name and shape, other weights: only the checksum tells them apart
  other = filesOf(writeTinyHfCheckpoint(join(root, 'b'), { family: 'llama', seed: 4 }).dir, 'tiny-llama');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a LoRA adapter learning on a loaded base, through the engines', () => {
  it('update → adapter version in PEFT files → served by the policy and signal engines → resumed by a fresh trainer; another base refused', async () => {
    const settings = validateSettings({ batchSize: 1, lr: 1e-2, teacher: 'live' });
    const serving = new PolicyEngine();
    await serving.init('wasm');
    await serving.loadHf(location, 0);
    const reply = await serving.reply({ sessionId: 's1', messages: [{ role: 'user', content: 'What is the capital of Peru?' }], sampling: { temperature: 1, topP: 1, maxTokens: 10, seed: 3 } });
    const signal = new SignalEngine(builtinJudgeBackend);
    await signal.init('wasm');
    await signal.loadHf(location);
    const request = {
      sessionId: 's1', turn: 1, kind: 'personal' as const, messages: reply.contextMessages, reply: reply.text,
      nextState: { role: 'user' as const, content: 'way too long, just give me one short sentence please' },
      promptIds: reply.promptIds, responseIds: reply.responseIds, responseLogprobs: reply.responseLogprobs, policyVersion: 0,
    };
    const signalled = await signal.process(request, settings);
    expect(signalled.sample?.case).toBe('combined');
    expect(signalled.report?.teacher).toEqual({ identity: 'live', version: 0, adapter: false });

    const trainer = new TrainerEngine();
    await trainer.init('wasm');
    await trainer.loadHf(location, loraConfigOf(settings), null);
    const update = await trainer.update([{ ...signalled.sample!, id: 's/1' }], settings, 1);
    expect(update.checkpoint).toBeUndefined();
    expect(update.adapterConfig).toMatchObject({ r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] });
    expect(Object.keys(update.weights).every((n) => /^layers\.\d\.w[qkvo]\.lora_[ab]$/.test(n))).toBe(true);
    expect(update.adapter!.config).toMatchObject({ peft_type: 'LORA', base_model_name_or_path: 'tiny-llama', r: 8, lora_alpha: 16 });

    await serving.publish({ version: 1, weights: update.weights, adapter: update.adapterConfig });
    const again = await serving.reply({ sessionId: 's1', messages: [{ role: 'user', content: 'What is the capital of Peru?' }], sampling: { temperature: 1, topP: 1, maxTokens: 10, seed: 3 } });
    expect(again.policyVersion).toBe(1);
    // same prompt, same seed: the adapter moved the first token's distribution
    expect(again.responseLogprobs[0]).not.toBe(reply.responseLogprobs[0]);
    await signal.publish({ version: 1, weights: update.weights, adapter: update.adapterConfig });
    expect((await signal.drift([signalled.sample!], settings)).klToFrozen).toBeGreaterThan(0); // the frozen reference is the base without the adapter
    const live = await signal.process({ ...request, turn: 2, policyVersion: 1 }, settings);
    expect(live.report?.teacher).toEqual({ identity: 'live', version: 1, adapter: true });
    const frozen = await signal.process({ ...request, turn: 3, policyVersion: 1 }, { ...settings, teacher: 'frozen' });
    expect(frozen.report?.teacher).toEqual({ identity: 'frozen', version: 0, adapter: false });
    // a fresh trainer resumes from the adapter and the Adam state: the same version 2 as the one that kept going
    const kept = await trainer.update([{ ...signalled.sample!, id: 's/1' }], settings, 2);
    const fresh = new TrainerEngine();
    await fresh.init('wasm');
    await fresh.loadHf(location, loraConfigOf(settings), { version: 1, files: update.adapter! }, update.optimizer);
    const resumed = await fresh.update([{ ...signalled.sample!, id: 's/1' }], settings, 2);
    for (const name of Object.keys(kept.weights)) {
      const diff = Math.max(...Array.from(kept.weights[name], (x, i) => Math.abs(x - resumed.weights[name][i])));
      expect(diff).toBeLessThan(1e-6);
    }

    // the adapter on another base (same name and shapes, other weights) is refused, and the trainer is untouched
    const error = await fresh.loadHf(other, loraConfigOf(settings), { version: 1, files: update.adapter! }).catch((e) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.message).toMatch(/trained on a base with checksum [0-9a-f]{12}…; the loaded "tiny-llama" is [0-9a-f]{12}…/);
    const after = await fresh.update([{ ...signalled.sample!, id: 's/1' }], settings, 3);
    expect(after.version).toBe(3);
  });
});

describe('an adapter batch over the memory cap', () => {
  it('trains one sample at a time, summing gradients: the same step as the whole batch at once', async () => {
    const { planUpdate } = await import('../../src/model/adapter/update-memory.ts');
    const settings = validateSettings({ batchSize: 3, lr: 1e-2, maxTokens: 10 });
    const policy = new PolicyEngine();
    const signal = new SignalEngine(builtinJudgeBackend);
    await Promise.all([policy.init('wasm'), signal.init('wasm')]);
    await Promise.all([policy.loadHf(location, 0), signal.loadHf(location)]);
    const samples: BatchSample[] = [];
    for (const [i, question] of ['What is the capital of Peru?', 'How far is the moon?', 'Name a prime number.'].entries()) {
      const reply = await policy.reply({ sessionId: `s${i}`, messages: [{ role: 'user', content: question }], sampling: { temperature: 1, topP: 1, maxTokens: 4 + 3 * i, seed: i } });
      const result = await signal.process({
        sessionId: `s${i}`, turn: 1, kind: 'personal', messages: reply.contextMessages, reply: reply.text,
        nextState: { role: 'user', content: 'way too long, just give me one short sentence please' },
        promptIds: reply.promptIds, responseIds: reply.responseIds, responseLogprobs: reply.responseLogprobs, policyVersion: 0,
      }, settings);
      samples.push({ ...result.sample!, id: `s${i}/1` });
    }
    const lora = loraConfigOf(settings);
    const updated = async (updateMemoryMb: number) => {
      const trainer = new TrainerEngine();
      await trainer.init('wasm');
      const loaded = await trainer.loadHf(location, lora, null);
      const T = Math.max(...samples.map((s) => s.response_ids.length));
      const tokens = Math.max(...samples.map((s) => s.prompt_ids.length + s.response_ids.length - 1));
      const plan = planUpdate(loaded.model, lora, { samples: 3, tokens, logitRows: T }, updateMemoryMb * 2 ** 20);
      return { plan, result: await trainer.update(samples, { ...settings, updateMemoryMb }, 1) };
    };
    const whole = await updated(1536);
    const split = await updated(1);
    expect(whole.plan.shape.atOnce).toBeUndefined();
    expect(split.plan.shape.atOnce).toBe(1);
    expect(split.plan.memory.totalBytes).toBeLessThan(whole.plan.memory.totalBytes);
    expect(split.result.metrics.loss).toBeCloseTo(whole.result.metrics.loss as number, 5);
    expect(split.result.metrics.fractionRatioClipped).toBe(whole.result.metrics.fractionRatioClipped);
    let moved = 0;
    for (const name of Object.keys(whole.result.weights)) {
      const a = whole.result.weights[name];
      const b = split.result.weights[name];
      for (let i = 0; i < a.length; i++) {
        expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
        if (name.endsWith('.lora_b') && a[i] !== 0) moved++;
      }
    }
    expect(moved).toBeGreaterThan(0);
  });
});
