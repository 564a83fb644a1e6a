/**
 * The online loop on a Hugging Face model (`start({ hf })`, issue 13): a LoRA adapter trains on the frozen base
 * through the same loop (judge → hint → teacher → selection → advantages → hybrid update); each version is an
 * adapter in the store (PEFT files, its base's identity, its parent) committed atomically with Adam's state and
 * metrics; a reload serves the saved adapter; rollback serves any version, and numbers are never reused; an
 * adapter saved for another base is refused with nothing changed; an update over the memory cap is refused with
 * its numbers and the chat goes on; full fine-tuning is not offered on a loaded model.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { validateSettings, type Settings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop, type QueueState } from '../../src/workers/online-loop.ts';
import type { HfModelLocation, TrainerEngineApi } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { decodePeft } from '../../src/model/adapter/peft.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { folderFiles } from '../../scripts/lib/model-folder.ts';

let root: string;
let location: HfModelLocation;
let other: HfModelLocation;
let dir: string;
/** A wider tiny model: its f32 weights alone are over 1 MB, the smallest cap. */
let wide: HfModelLocation;

function filesOf(folder: string, name: string): HfModelLocation {
  return { kind: 'files', name, files: Object.fromEntries(readdirSync(folder).map((f) => [f, new Uint8Array(readFileSync(join(folder, f)))])) };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'nextstate-loop-hf-'));
  dir = writeTinyHfCheckpoint(join(root, 'a'), { family: 'llama', dtype: 'bf16', seed: 11 }).dir;
  location = filesOf(dir, 'tiny-llama');
  // the same name and shapes, other weights: only the checksum tells them apart
  other = filesOf(writeTinyHfCheckpoint(join(root, 'b'), { family: 'llama', dtype: 'bf16', seed: 12 }).dir, 'tiny-llama');
  const wider = { hidden_size: 192, intermediate_size: 384, num_attention_heads: 6, num_key_value_heads: 2 };
  wide = filesOf(writeTinyHfCheckpoint(join(root, 'c'), { family: 'llama', seed: 13, configOverrides: wider }).dir, 'tiny-wide');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function engines() {
  const policy = new PolicyEngine();
  const signal = new SignalEngine(builtinJudgeBackend);
  const trainer = new TrainerEngine();
  await Promise.all([policy.init('wasm'), signal.init('wasm'), trainer.init('wasm')]);
  return { policy, signal, trainer };
}

const PROMPT = [{ role: 'user' as const, content: 'What is the capital of Peru?' }];
const seeded = (policy: PolicyEngine) => policy.reply({ sessionId: 'probe', messages: PROMPT, sampling: { temperature: 1, topP: 1, maxTokens: 6, seed: 5 } });

async function chatWithCorrections(loop: OnlineLoop): Promise<void> {
  const session = await loop.newSession();
  await loop.send(session.id, 'What is the capital of Peru?');
  await loop.send(session.id, 'No, that is wrong. The capital of Peru is Lima.');
  await loop.send(session.id, 'Still wrong, you should say Lima.');
  await loop.idle();
}

describe('OnlineLoop on a loaded Hugging Face model, training a LoRA adapter', () => {
  it('trains adapter versions, stores them with their base, serves them after a reload, rolls back without reusing numbers', async () => {
    const store = await MemoryStore.open();
    const settings: Settings = validateSettings({ batchSize: 1, maxTokens: 8, seed: 3, lr: 1e-2 });
    const errors: Error[] = [];
    const first = await engines();
    const loop = new OnlineLoop(first, store, settings, { error: (_w, e) => void errors.push(e) });
    await loop.start({ hf: location });
    expect(loop.trainingOff).toBeNull();
    // version 0 is the fresh adapter (B = 0) on this base, saved so a rollback to it restores the same A
    const v0 = (await store.getAdapter(0))!;
    expect(v0.parentVersion).toBeNull();
    expect(v0.base).toMatchObject({ name: 'tiny-llama', revision: null });
    expect(v0.base.sha256).toMatch(/^[0-9a-f]{64}$/);
    const model = await loadHfModel(folderFiles(dir));
    const fresh = decodePeft(v0.adapter, model.config, v0.base);
    expect(Object.entries(fresh.weights).filter(([n]) => n.endsWith('.lora_b')).every(([, w]) => w.every((x) => x === 0))).toBe(true);

    await chatWithCorrections(loop);
    expect(errors).toEqual([]);
    const versions = await store.listCheckpointVersions();
    expect(versions.length).toBeGreaterThan(1);
    const latest = versions.at(-1)!;
    expect(loop.version).toBe(latest);
    expect(await store.getServingVersion()).toBe(latest);
    const saved = (await store.getAdapter(latest))!;
    expect(saved.parentVersion).toBe(latest - 1);
    expect(saved.base).toEqual(v0.base);
    expect(await store.getCheckpoint(latest)).toBeUndefined(); // an adapter, not a whole checkpoint
    // megabytes, not the base: the adapter's file is a small fraction of the base's weights
    const baseBytes = Object.values(model.weights).reduce((n, w) => n + w.byteLength, 0);
    expect(saved.adapter.weights.byteLength).toBeLessThan(baseBytes / 3);
    expect((await store.getOptimizer())?.version).toBe(latest);
    expect((await store.listMetrics()).map((m) => m.version)).toEqual(versions.slice(1));
    expect((await store.listSamples({ status: 'trained' })).length).toBeGreaterThan(0);
    const trainedB = decodePeft(saved.adapter, model.config, saved.base).weights;
    expect(Object.entries(trainedB).some(([n, w]) => n.endsWith('.lora_b') && w.some((x) => x !== 0))).toBe(true);

    const servedBefore = await seeded(first.policy);
    expect(servedBefore.policyVersion).toBe(latest);

    // a reload: fresh engines on the same store serve the saved adapter
    const second = await engines();
    const reloaded = new OnlineLoop(second, store, settings, { error: (_w, e) => void errors.push(e) });
    await reloaded.start({ hf: location });
    expect(reloaded.version).toBe(latest);
    const servedAfter = await seeded(second.policy);
    expect(servedAfter.policyVersion).toBe(latest);
    expect(servedAfter.responseIds).toEqual(servedBefore.responseIds);
    expect(servedAfter.responseLogprobs).toEqual(servedBefore.responseLogprobs);
    const base = new PolicyEngine();
    await base.init('wasm');
    await base.loadHf(location, 0);
    const servedBase = await seeded(base);
    expect(servedBase.responseLogprobs).not.toEqual(servedBefore.responseLogprobs);

    // rollback to the base: v0 served; the next update takes a new number
    await reloaded.rollback(0);
    expect(await store.getServingVersion()).toBe(0);
    const rolled = await seeded(second.policy);
    expect(rolled.policyVersion).toBe(0);
    expect(rolled.responseLogprobs).toEqual(servedBase.responseLogprobs);
    await chatWithCorrections(reloaded);
    const added = (await store.listCheckpointVersions()).filter((v) => v > latest);
    expect(added[0]).toBe(latest + 1);
    expect((await store.getAdapter(latest + 1))!.parentVersion).toBe(0);
    expect((await store.getAdapter(latest))!.parentVersion).toBe(latest - 1); // kept as it was
    // and any saved version can be served again
    await reloaded.rollback(latest);
    expect((await seeded(second.policy)).responseLogprobs).toEqual(servedBefore.responseLogprobs);
    expect(errors).toEqual([]);
  });

  it('imports a PEFT adapter into a fresh store as the next version, served at once; one for another base or of other shapes is refused with nothing changed', async () => {
    const settings = validateSettings({ batchSize: 1, maxTokens: 8, seed: 3, lr: 1e-2 });
    const first = await engines();
    const trainedStore = await MemoryStore.open();
    const trained = new OnlineLoop(first, trainedStore, settings);
    await trained.start({ hf: location });
    await chatWithCorrections(trained);
    const served = await seeded(first.policy);
    // what the page exports: the served version's two PEFT files, the config as JSON text
    const exported = (await trainedStore.getAdapter(trained.version))!.adapter;
    const files = { weights: exported.weights.slice(), config: JSON.parse(JSON.stringify(exported.config)) as Record<string, unknown> };

    const store = await MemoryStore.open();
    const second = await engines();
    const fresh = new OnlineLoop(second, store, settings);
    await fresh.start({ hf: location });
    const before = await store.listCheckpointVersions();
    await expect(fresh.importAdapter({ ...files, config: { ...files.config, base_model_name_or_path: 'someone/else' } })).rejects.toThrow(/trained on "someone\/else"; the loaded base is "tiny-llama"/);
    await expect(fresh.importAdapter({ ...files, config: { ...files.config, r: 4 } })).rejects.toThrow(/is \[8,48\], this base needs \[4,48\]/);
    await expect(fresh.importAdapter({ ...files, config: { ...files.config, target_modules: ['q_proj', 'lm_head'] } })).rejects.toThrow(/target module "lm_head"/);
    expect(await store.listCheckpointVersions()).toEqual(before);
    expect((await seeded(second.policy)).policyVersion).toBe(0);

    const version = await fresh.importAdapter(files);
    expect(version).toBe(1);
    expect(fresh.version).toBe(1);
    expect((await store.getAdapter(1))!.parentVersion).toBeNull();
    expect((await store.listMetrics()).at(-1)).toMatchObject({ version: 1, imported: true });
    const now = await seeded(second.policy);
    expect(now.policyVersion).toBe(1);
    expect(now.responseLogprobs).toEqual(served.responseLogprobs);
  });

  it('refuses a store whose adapter was trained on another base, and changes nothing', async () => {
    const store = await MemoryStore.open();
    const settings = validateSettings({ batchSize: 1, maxTokens: 8, seed: 3, lr: 1e-2 });
    const loop = new OnlineLoop(await engines(), store, settings);
    await loop.start({ hf: location });
    await chatWithCorrections(loop);
    const versions = await store.listCheckpointVersions();
    const serving = await store.getServingVersion();
    const otherLoop = new OnlineLoop(await engines(), store, settings);
    const error = await otherLoop.start({ hf: other }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`adapter version ${serving} was saved for "tiny-llama" \\(weights sha256 [0-9a-f]{12}…\\) and is refused on this base: .*checksum`));
    expect(await store.listCheckpointVersions()).toEqual(versions);
    expect(await store.getServingVersion()).toBe(serving);
  });

  it('states the memory of an update, refuses one over the cap with its numbers (chat goes on), trains once the cap allows', async () => {
    const store = await MemoryStore.open();
    const settings = validateSettings({ batchSize: 1, maxTokens: 8, seed: 3, updateMemoryMb: 1 });
    const queues: QueueState[] = [];
    const errors: Error[] = [];
    const loop = new OnlineLoop(await engines(), store, settings, { queue: (q) => void queues.push(q), error: (_w, e) => void errors.push(e) });
    await loop.start({ hf: wide });
    await new Promise((r) => setTimeout(r, 50));
    expect(queues.at(-1)?.updateMemory).toMatch(/^one update of 1 sample\(s\) × 136 tokens needs about [\d.]+ MB: base [\d.]+ MB \(f32\), adapter with gradient and Adam [\d.]+ MB, activations [\d.]+ MB \(gradient checkpointing\), logits [\d.]+ MB; the cap is 1 MB\.$/);
    await chatWithCorrections(loop);
    expect(loop.trainingOff).toMatch(/^Not updating: one update of 1 sample\(s\) × \d+ tokens needs about [\d.]+ MB.*the cap \(setting "Update memory cap"\) is 1.0 MB/);
    expect(errors.map((e) => e.message)).toContain(loop.trainingOff);
    expect(await store.listCheckpointVersions()).toEqual([0]);
    expect((await store.listSamples({ status: 'pending' })).length).toBeGreaterThan(0);
    loop.setSettings({ ...settings, updateMemoryMb: 1536 });
    await loop.idle();
    expect(loop.trainingOff).toBeNull();
    expect((await store.listCheckpointVersions()).length).toBeGreaterThan(1);
  });

  it('records samples but trains nothing when full fine-tuning is asked of a loaded model', async () => {
    const calls: string[] = [];
    const trainer: TrainerEngineApi = {
      init: async () => ({ backend: 'wasm', reason: 'test' }),
      load: async () => void calls.push('load'),
      loadHf: async () => {
        calls.push('loadHf');
        throw new Error('not loaded for full fine-tuning');
      },
      proximal: async () => {
        calls.push('proximal');
        throw new Error('must not train');
      },
      update: async () => {
        calls.push('update');
        throw new Error('must not train');
      },
    };
    const { policy, signal } = await engines();
    const store = await MemoryStore.open();
    const loop = new OnlineLoop({ policy, signal, trainer }, store, validateSettings({ batchSize: 1, maxTokens: 8, finetune: 'full' }));
    await loop.start({ hf: location });
    expect(loop.trainingOff).toMatch(/Full fine-tuning does not fit a loaded model/);
    await chatWithCorrections(loop);
    expect((await store.listSamples()).every((s) => s.status === 'pending')).toBe(true);
    expect(calls).toEqual([]);
    await expect(loop.rollback(0)).rejects.toThrow(/Full fine-tuning/);
  });
});
