import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { folderFiles } from '../../scripts/lib/model-folder.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { Policy } from '../../src/model/policy.ts';
import { Adam } from '../../src/model/adam.ts';
import { replyLoss, trainStep } from '../../src/model/reply-loss.ts';
import { optimizerStep } from '../../src/model/optimizer-step.ts';
import { LoraAdapter, adapterSpecs, ALL_TARGETS, ATTENTION_TARGETS, TARGET_WEIGHT, loraConfigOf, sameLoraConfig, type LoraConfig } from '../../src/model/adapter/lora.ts';
import { hybridLoss } from '../../src/rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import { samplesResponseLogits } from '../../src/workers/response-logits.ts';
import { createRng } from '../../src/model/rng.ts';
import { referenceLogits, type RefTensor } from '../support/llama-reference.ts';
import { MINI, randomIds, useWasm } from './model-helpers.ts';

let root: string;
let tiny: TinyCheckpoint;
let base: Policy;
beforeAll(async () => {
  await useWasm();
  root = mkdtempSync(join(tmpdir(), 'nextstate-lora-'));
  tiny = writeTinyHfCheckpoint(join(root, 'qwen3'), { family: 'qwen3', seed: 7 });
  const model = await loadHfModel(folderFiles(tiny.dir));
  base = new Policy(model.config, model.weights, { trainable: false });
});
afterAll(() => {
  base.dispose();
  rmSync(root, { recursive: true, force: true });
});

const ALL: LoraConfig = { r: 3, alpha: 6, dropout: 0, targets: ALL_TARGETS };

/** An adapter whose B is random too, so every weight moves the logits (a fresh one has B = 0). */
function randomAdapter(policy: Policy, config: LoraConfig, seed: number, bScale = 0.3): LoraAdapter {
  const rng = createRng(seed);
  const weights: Record<string, Float32Array> = {};
  for (const { name, shape } of adapterSpecs(policy.config, config)) {
    const scale = name.endsWith('lora_a') ? 1 / Math.sqrt(shape[0]) : bScale;
    weights[name] = Float32Array.from({ length: shape[0] * shape[1] }, () => (2 * rng() - 1) * scale);
  }
  return new LoraAdapter(policy.config, config, weights);
}

function logitsOf(p: Policy, ids: number[]): Float32Array {
  return tf.tidy(() => p.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.dataSync() as Float32Array);
}

const HF_MODULE: Record<string, string> = { wq: 'self_attn.q_proj', wk: 'self_attn.k_proj', wv: 'self_attn.v_proj', wo: 'self_attn.o_proj', w_gate: 'mlp.gate_proj', w_up: 'mlp.up_proj', w_down: 'mlp.down_proj' };

/**
 * Mean reply NLL in float64 from the independent reference forward on the file's tensors with
 * W[out, in] + (alpha/r)·(A·B)ᵀ merged in float64.
 */
function referenceLoss(adapter: Record<string, Float64Array>, config: LoraConfig, ids: number[], mask: number[]): number {
  const tensors = new Map<string, RefTensor>(tiny.tensors);
  const scale = config.alpha / config.r;
  for (const { name, shape } of adapterSpecs(base.config, config)) {
    if (!name.endsWith('lora_a')) continue;
    const weight = name.slice(0, -'.lora_a'.length);
    const [, layer, graph] = /^layers\.(\d+)\.(\w+)$/.exec(weight)!;
    const hf = `model.layers.${layer}.${HF_MODULE[graph]}.weight`;
    const w = tiny.tensors.get(hf)!;
    const [inDim, r] = shape;
    const a = adapter[`${weight}.lora_a`];
    const b = adapter[`${weight}.lora_b`];
    const outDim = b.length / r;
    const merged = Float64Array.from(w.data);
    for (let o = 0; o < outDim; o++) {
      for (let i = 0; i < inDim; i++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += a[i * r + k] * b[k * outDim + o];
        merged[o * inDim + i] += scale * s;
      }
    }
    tensors.set(hf, { shape: w.shape, data: merged });
  }
  const logits = referenceLogits(tensors, tiny.config, ids.slice(0, -1));
  let total = 0;
  let count = 0;
  logits.forEach((row, t) => {
    if (!mask[t + 1]) return;
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    total += lse - row[ids[t + 1]];
    count++;
  });
  return total / count;
}

describe('LoRA adapters', () => {
  it("a fresh adapter (B = 0) gives the base's logits exactly, on every target set", () => {
    const ids = randomIds(3, 20, base.config.vocabSize);
    const want = logitsOf(base, ids);
    for (const targets of [ATTENTION_TARGETS, ALL_TARGETS]) {
      const adapter = LoraAdapter.create(base.config, { r: 8, alpha: 16, dropout: 0, targets }, 5);
      // A is random, B zero: the adapter is there, it just adds nothing yet
      expect(Math.max(...Object.entries(adapter.getWeights()).filter(([n]) => n.endsWith('lora_a')).flatMap(([, d]) => Array.from(d, Math.abs)))).toBeGreaterThan(0.05);
      const got = logitsOf(base.withAdapter(adapter), ids);
      expect(got).toEqual(want);
      adapter.dispose();
    }
  });

  it('a non-zero adapter changes the logits; withAdapter(null) is the base again, sharing its weights', () => {
    const ids = randomIds(4, 16, base.config.vocabSize);
    const adapter = randomAdapter(base, ALL, 9);
    const adapted = base.withAdapter(adapter);
    const plain = logitsOf(base, ids);
    const diff = Math.max(...Array.from(logitsOf(adapted, ids), (x, i) => Math.abs(x - plain[i])));
    expect(diff).toBeGreaterThan(1e-2);
    expect(logitsOf(adapted.withAdapter(null), ids)).toEqual(logitsOf(base, ids));
    expect(adapted.variables).toBe(base.variables);
    adapted.dispose(); // a view: the base's weights stay
    expect(logitsOf(base, ids).length).toBeGreaterThan(0);
    adapter.dispose();
  });

  it('the adapter gradient matches central finite differences of an independent float64 reference', () => {
    const ids = randomIds(5, 12, base.config.vocabSize);
    const mask = ids.map((_, t) => (t >= 6 ? 1 : 0));
    const adapter = randomAdapter(base, ALL, 11);
    const policy = base.withAdapter(adapter);
    const names = [...policy.trainableVariables.keys()];
    const { value, grads } = tf.variableGrads(() => replyLoss(policy, { ids: [ids], lossMask: [mask] }), names.map((n) => adapter.variables.get(n)!));
    const weights64: Record<string, Float64Array> = Object.fromEntries(Object.entries(adapter.getWeights()).map(([n, d]) => [n, Float64Array.from(d)]));
    const loss64 = referenceLoss(weights64, ALL, ids, mask);
    expect(Math.abs(value.dataSync()[0] - loss64)).toBeLessThan(1e-4);
    const rng = createRng(13);
    const h = 1e-5;
    let checked = 0;
    for (const name of names.filter((_, i) => i % 3 === 0)) {
      const g = grads[adapter.variables.get(name)!.name].dataSync();
      const at = Math.floor(rng() * g.length);
      const w = weights64[name];
      const keep = w[at];
      w[at] = keep + h;
      const up = referenceLoss(weights64, ALL, ids, mask);
      w[at] = keep - h;
      const down = referenceLoss(weights64, ALL, ids, mask);
      w[at] = keep;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(g[at] - fd)).toBeLessThan(2e-3 * Math.abs(fd) + 2e-5);
      if (Math.abs(fd) > 1e-3) checked++;
    }
    expect(checked).toBeGreaterThan(3); // most probed entries have a visible gradient
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    adapter.dispose();
  });

  it("while the adapter trains (2-D attention products), with or without each layer recomputed in the backward: the same loss and gradients as the plain graph's", () => {
    const ids = randomIds(9, 14, base.config.vocabSize);
    const mask = ids.map((_, t) => (t >= 5 ? 1 : 0));
    const adapter = randomAdapter(base, ALL, 23);
    const policy = base.withAdapter(adapter);
    const vars = [...adapter.variables.values()];
    const gradients = (training: boolean, checkpointing: boolean) => {
      adapter.training = training;
      adapter.checkpointing = checkpointing;
      const { value, grads } = tf.variableGrads(() => replyLoss(policy, { ids: [ids], lossMask: [mask] }), vars);
      adapter.training = adapter.checkpointing = false;
      const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      return out;
    };
    const plain = gradients(false, false);
    for (const trained of [gradients(true, false), gradients(true, true)]) {
      expect(trained.loss).toBeCloseTo(plain.loss, 6);
      let largest = 0;
      plain.grads.forEach((g, n) => g.forEach((x, i) => {
        largest = Math.max(largest, Math.abs(x));
        expect(Math.abs(trained.grads[n][i] - x)).toBeLessThan(1e-5);
      }));
      expect(largest).toBeGreaterThan(1e-3);
    }
    adapter.dispose();
  });

  it('sameLoraConfig tells configs apart by rank, alpha, dropout and each target, and not by object identity', () => {
    const a: LoraConfig = { r: 8, alpha: 16, dropout: 0, targets: [...ATTENTION_TARGETS] };
    expect(sameLoraConfig(a, { ...a, targets: [...ATTENTION_TARGETS] })).toBe(true);
    expect(sameLoraConfig(a, loraConfigOf(DEFAULT_SETTINGS))).toBe(true);
    for (const other of [{ r: 4 }, { alpha: 8 }, { dropout: 0.1 }, { targets: ALL_TARGETS }, { targets: [...ATTENTION_TARGETS].reverse() }, { targets: ATTENTION_TARGETS.slice(1) }]) {
      expect(sameLoraConfig(a, { ...a, ...other }), JSON.stringify(other)).toBe(false);
      expect(sameLoraConfig({ ...a, ...other }, a), JSON.stringify(other)).toBe(false);
    }
  });

  it('merging the adapter into the base reproduces the adapted logits', () => {
    const ids = randomIds(6, 24, base.config.vocabSize);
    for (const config of [ALL, { ...ALL, targets: ATTENTION_TARGETS, r: 8, alpha: 16 }]) {
      const adapter = randomAdapter(base, config, 17);
      const want = logitsOf(base.withAdapter(adapter), ids);
      const baseWeights = base.getWeights();
      const mergedWeights = adapter.merge(baseWeights);
      // only the wrapped weights changed
      for (const name of Object.keys(baseWeights)) {
        const wrapped = config.targets.some((t) => name.endsWith(`.${TARGET_WEIGHT[t]}`));
        expect(mergedWeights[name] === baseWeights[name]).toBe(!wrapped);
      }
      const merged = new Policy(base.config, mergedWeights, { trainable: false });
      const got = logitsOf(merged, ids);
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(Math.max(...Array.from(got, (x, i) => Math.abs(x - want[i])))).toBeLessThan(1e-5 * scale + 1e-5);
      merged.dispose();
      adapter.dispose();
    }
  });

  for (const checkpointing of [false, true]) it(`a −1 combined sample lowers the reply log-prob after one update; the base weights stay bit-identical (${checkpointing ? 'gradient checkpointing' : 'every layer kept'})`, async () => {
    const adapter = LoraAdapter.create(base.config, loraConfigOf(DEFAULT_SETTINGS), 21);
    const policy = base.withAdapter(adapter);
    const before = base.getWeights();
    const prompt = randomIds(7, 10, base.config.vocabSize);
    const response = randomIds(8, 8, base.config.vocabSize);
    const scored = await policy.score(prompt, response, { temperature: 0.6, k: 4 });
    const top = (t: number, of: Int32Array | Float32Array) => Array.from(of.subarray(t * 4, t * 4 + 4));
    const sample: SampleRecord = {
      session_id: 's', turn: 1, policy_version: 0, case: 'combined', prompt_ids: prompt, response_ids: response,
      response_logprobs: Array.from(scored.tokenLogprobs), loss_mask: response.map(() => 1), reward: { score: -1 },
      hints: ['be brief'], hint: 'be brief', hint_index: response.map(() => 0),
      support_ids: response.map((_, t) => top(t, scored.topIds)),
      old_logprobs_at_support: response.map((_, t) => top(t, scored.topLogprobs)),
      // the teacher agrees with the student: the OPD term is zero and the −1 reward alone moves the reply
      teacher_logprobs_at_support: response.map((_, t) => top(t, scored.topLogprobs)),
    };
    const settings = { ...DEFAULT_SETTINGS, lr: 1e-2 };
    const adam = new Adam(policy.trainableVariables, { beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0.1 });
    const batch = batchFromSamples([sample], settings);
    optimizerStep(policy, adam, () => hybridLoss(samplesResponseLogits(policy, [sample], response.length), batch, settings).loss, settings.lr, settings.gradClip, { checkpointing });
    disposeBatch(batch);
    const after = await policy.score(prompt, response, { temperature: 0.6 });
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
    expect(sum(after.tokenLogprobs)).toBeLessThan(sum(scored.tokenLogprobs) - 1e-3);
    const afterBase = base.getWeights();
    for (const name of Object.keys(before)) expect(Buffer.from(afterBase[name].buffer).equals(Buffer.from(before[name].buffer))).toBe(true);
    // the base alone still scores the reply as it did before the update
    expect(sum((await base.score(prompt, response, { temperature: 0.6 })).tokenLogprobs)).toBeCloseTo(sum(scored.tokenLogprobs), 4);
    adam.dispose();
    adapter.dispose();
  });

  it('the built-in model trains every weight by default and only the adapter when it carries one (one training path)', () => {
    const full = Policy.create(MINI, 2);
    const batch = { ids: [randomIds(8, 12)], lossMask: [randomIds(8, 12).map((_, t) => (t > 4 ? 1 : 0))] };
    const adamFull = new Adam(full.trainableVariables);
    const weightsBefore = full.getWeights();
    trainStep(full, adamFull, batch, 1e-2);
    const moved = Object.keys(weightsBefore).filter((n) => full.getWeights()[n].some((x, i) => x !== weightsBefore[n][i]));
    expect(moved.length).toBe(Object.keys(weightsBefore).length);
    const adapter = LoraAdapter.create(MINI, { r: 2, alpha: 4, dropout: 0, targets: ATTENTION_TARGETS }, 3);
    const lora = full.withAdapter(adapter);
    const adam = new Adam(lora.trainableVariables);
    const baseBefore = full.getWeights();
    const adapterBefore = adapter.getWeights();
    const { loss } = trainStep(lora, adam, batch, 1e-2);
    expect(Number.isFinite(loss)).toBe(true);
    for (const [n, d] of Object.entries(full.getWeights())) expect(d).toEqual(baseBefore[n]);
    // B moves on the first step (A's gradient is zero while B is zero)
    const bMoved = Object.entries(adapter.getWeights()).filter(([n, d]) => n.endsWith('lora_b') && d.some((x, i) => x !== adapterBefore[n][i]));
    expect(bMoved.length).toBe(MINI.nLayers * 4);
    adam.dispose();
    adamFull.dispose();
    adapter.dispose();
    full.dispose();
  });
});
