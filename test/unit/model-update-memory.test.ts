/**
 * The update-memory estimate (issue 13) against tfjs's own count: the peak tensor bytes of a real LoRA update
 * (the trainer's path: samplesResponseLogits → hybridLoss → optimizerStep) on random tiny bases of a few shapes
 * must lie under the estimate, and the estimate within a small factor of it (a statement a visitor can trust).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Policy } from '../../src/model/policy.ts';
import { initialWeights } from '../../src/model/weights.ts';
import { Adam } from '../../src/model/adam.ts';
import { optimizerStep } from '../../src/model/optimizer-step.ts';
import { LoraAdapter, loraConfigOf } from '../../src/model/adapter/lora.ts';
import { planUpdate, updateMemory, updateMemoryRefusal } from '../../src/model/adapter/update-memory.ts';
import { hybridLoss } from '../../src/rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import { samplesResponseLogits } from '../../src/workers/response-logits.ts';
import { createRng } from '../../src/model/rng.ts';
import type { ModelConfig } from '../../src/model/presets.ts';
import { useWasm } from './model-helpers.ts';

beforeAll(useWasm);

async function measuredPeak(config: ModelConfig, prompt: number, reply: number, samples: number, targets: 'attention' | 'attention+mlp', checkpointing: boolean): Promise<{ peak: number; estimate: number }> {
  const settings = { ...DEFAULT_SETTINGS, loraTargets: targets };
  const lora = loraConfigOf(settings);
  const base = new Policy(config, initialWeights(config, 3), { trainable: false });
  const adapter = LoraAdapter.create(config, lora, 2);
  const policy = base.withAdapter(adapter);
  const rng = createRng(5);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * config.vocabSize));
  const batchSamples: SampleRecord[] = Array.from({ length: samples }, (_, i) => {
    const response = ids(reply);
    return {
      session_id: 's', turn: i, policy_version: 0, case: 'combined', prompt_ids: ids(prompt), response_ids: response,
      response_logprobs: response.map(() => -2), loss_mask: response.map(() => 1), reward: { score: -1 }, hints: ['h'], hint: 'h',
      hint_index: response.map(() => 0), support_ids: response.map(() => [0, 1]), old_logprobs_at_support: response.map(() => [-1, -2]),
      teacher_logprobs_at_support: response.map(() => [-0.5, -3]),
    };
  });
  const adam = new Adam(policy.trainableVariables, { beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0 });
  const batch = batchFromSamples(batchSamples, settings);
  const profile = await tf.profile(() => {
    optimizerStep(policy, adam, () => hybridLoss(samplesResponseLogits(policy, batchSamples, reply), batch, settings).loss, settings.lr, settings.gradClip, { checkpointing });
  });
  disposeBatch(batch);
  adam.dispose();
  adapter.dispose();
  base.dispose();
  const estimate = updateMemory(config, lora, { samples, tokens: prompt + reply - 1, logitRows: reply, checkpointing }).totalBytes;
  return { peak: profile.peakBytes, estimate };
}

describe('updateMemory', () => {
  const shapes: [string, ModelConfig, number, number, number, 'attention' | 'attention+mlp'][] = [
    ['narrow, long prompt', { vocabSize: 301, dModel: 64, nLayers: 3, nHeads: 4, nKvHeads: 2, dFF: 128, maxLen: 256, ropeBase: 10000 }, 96, 24, 1, 'attention'],
    ['wide vocabulary, a batch of 3', { vocabSize: 2048, dModel: 48, nLayers: 2, nHeads: 6, nKvHeads: 2, dFF: 96, maxLen: 256, ropeBase: 10000 }, 40, 16, 3, 'attention+mlp'],
    // two layers of SmolLM2-135M's own width and the benchmark's 128 + 64 tokens, on a small vocabulary
    ['135M-wide layers', { vocabSize: 512, dModel: 576, nLayers: 2, nHeads: 9, nKvHeads: 3, headDim: 64, dFF: 1536, maxLen: 256, ropeBase: 10000 }, 128, 64, 1, 'attention'],
  ];
  for (const [name, config, prompt, reply, samples, targets] of shapes) {
    for (const checkpointing of [true, false]) {
      it(`bounds the measured peak of a real update, within 4× (${name}, ${checkpointing ? 'gradient checkpointing' : 'every layer kept'})`, async () => {
        const { peak, estimate } = await measuredPeak(config, prompt, reply, samples, targets, checkpointing);
        expect(estimate).toBeGreaterThanOrEqual(peak);
        expect(estimate).toBeLessThan(4 * peak);
      });
    }
  }

  it('plans the least work that fits the cap: checkpointing only when keeping every layer does not fit, never with dropout', () => {
    const config: ModelConfig = { vocabSize: 49152, dModel: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, headDim: 64, dFF: 1536, maxLen: 8192, ropeBase: 100000, tiedEmbedding: true };
    const lora = loraConfigOf(DEFAULT_SETTINGS);
    const batch = { samples: 3, tokens: 191, logitRows: 64 };
    const MB = 2 ** 20;
    const need = (shape: { atOnce?: number; checkpointing: boolean }) => updateMemory(config, lora, { ...batch, ...shape }).totalBytes;
    // keeping every layer needs several times the memory of checkpointing; one sample at a time a third of the batch's
    expect(need({ checkpointing: false })).toBeGreaterThan(2 * need({ checkpointing: true }));
    const ways = [{ checkpointing: false }, { atOnce: 1, checkpointing: false }, { checkpointing: true }, { atOnce: 1, checkpointing: true }];
    for (const [i, way] of ways.entries()) {
      // a cap of exactly what this way needs: every way before it needs more, so this one is chosen
      for (const earlier of ways.slice(0, i)) expect(need(earlier)).toBeGreaterThan(need(way));
      const plan = planUpdate(config, lora, batch, need(way));
      expect(plan.shape).toEqual({ ...batch, ...way });
      expect(plan.memory.checkpointing).toBe(way.checkpointing);
    }
    // none fits: the smallest, which the refusal reports with its numbers
    const none = planUpdate(config, lora, batch, 100 * MB);
    expect(none.shape).toEqual({ ...batch, atOnce: 1, checkpointing: true });
    expect(updateMemoryRefusal(none.memory, none.shape, 100 * MB)).toMatch(/^Not updating: one update of 3 sample\(s\) \(1 at a time\) .*\(gradient checkpointing\)/);
    // a plenty cap: no checkpointing, the whole batch at once
    expect(planUpdate(config, lora, batch, 64 * 1024 * MB).shape).toEqual({ ...batch, checkpointing: false });
    // with dropout the recomputed layer would draw other masks: never checkpointing, whatever the cap
    const dropped = { ...lora, dropout: 0.1 };
    expect(planUpdate(config, dropped, batch, 100 * MB).shape).toEqual({ ...batch, atOnce: 1, checkpointing: false });
    expect(() => updateMemory(config, dropped, { ...batch, checkpointing: true })).toThrow(/checkpointing needs LoRA dropout 0/);
  });

  it('refuses over the cap or the GPU buffer with the numbers, and passes under them', () => {
    const config: ModelConfig = { vocabSize: 49152, dModel: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, dFF: 1536, maxLen: 8192, ropeBase: 100000, tiedEmbedding: true };
    const lora = loraConfigOf(DEFAULT_SETTINGS);
    const shape = { samples: 1, tokens: 191, logitRows: 64, checkpointing: true };
    const m = updateMemory(config, lora, shape);
    expect(m.weightBytes).toBe(4 * 134_515_008);
    expect(updateMemoryRefusal(m, shape, 1536 * 2 ** 20)).toBeNull();
    expect(updateMemoryRefusal(m, shape, 256 * 2 ** 20)).toMatch(/^Not updating: one update of 1 sample\(s\) × 191 tokens needs about \d+ MB: base 513 MB \(f32\).*the cap \(setting "Update memory cap"\) is 256 MB/);
    expect(updateMemoryRefusal(m, shape, 1536 * 2 ** 20, 8 * 2 ** 20)).toMatch(/its logits tensor is 12 MB; this GPU.s largest storage buffer is 8.0 MB/);
  });
});
