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
import { updateMemory, updateMemoryRefusal } from '../../src/model/adapter/update-memory.ts';
import { hybridLoss } from '../../src/rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import { samplesResponseLogits } from '../../src/workers/response-logits.ts';
import { createRng } from '../../src/model/rng.ts';
import type { ModelConfig } from '../../src/model/presets.ts';
import { useWasm } from './model-helpers.ts';

beforeAll(useWasm);

async function measuredPeak(config: ModelConfig, prompt: number, reply: number, samples: number, targets: 'attention' | 'attention+mlp'): Promise<{ peak: number; estimate: number }> {
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
    optimizerStep(policy, adam, () => hybridLoss(samplesResponseLogits(policy, batchSamples, reply), batch, settings).loss, settings.lr, settings.gradClip);
  });
  disposeBatch(batch);
  adam.dispose();
  adapter.dispose();
  base.dispose();
  const estimate = updateMemory(config, lora, { samples, tokens: prompt + reply - 1, logitRows: reply }).totalBytes;
  return { peak: profile.peakBytes, estimate };
}

describe('updateMemory', () => {
  const shapes: [string, ModelConfig, number, number, number, 'attention' | 'attention+mlp'][] = [
    ['narrow, long prompt', { vocabSize: 301, dModel: 64, nLayers: 3, nHeads: 4, nKvHeads: 2, dFF: 128, maxLen: 256, ropeBase: 10000 }, 96, 24, 1, 'attention'],
    ['wide vocabulary, a batch of 3', { vocabSize: 2048, dModel: 48, nLayers: 2, nHeads: 6, nKvHeads: 2, dFF: 96, maxLen: 256, ropeBase: 10000 }, 40, 16, 3, 'attention+mlp'],
  ];
  for (const [name, config, prompt, reply, samples, targets] of shapes) {
    it(`bounds the measured peak of a real update, within 4× (${name})`, async () => {
      const { peak, estimate } = await measuredPeak(config, prompt, reply, samples, targets);
      expect(estimate).toBeGreaterThanOrEqual(peak);
      expect(estimate).toBeLessThan(4 * peak);
    });
  }

  it('refuses over the cap or the GPU buffer with the numbers, and passes under them', () => {
    const config: ModelConfig = { vocabSize: 49152, dModel: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, dFF: 1536, maxLen: 8192, ropeBase: 100000, tiedEmbedding: true };
    const lora = loraConfigOf(DEFAULT_SETTINGS);
    const shape = { samples: 1, tokens: 191, logitRows: 64 };
    const m = updateMemory(config, lora, shape);
    expect(m.weightBytes).toBe(4 * 134_515_008);
    expect(updateMemoryRefusal(m, shape, 1536 * 2 ** 20)).toBeNull();
    expect(updateMemoryRefusal(m, shape, 256 * 2 ** 20)).toMatch(/^Not updating: one update of 1 sample\(s\) × 191 tokens needs about \d+ MB: base 513 MB \(f32\).*the cap \(setting "Update memory cap"\) is 256 MB/);
    expect(updateMemoryRefusal(m, shape, 1536 * 2 ** 20, 8 * 2 ** 20)).toMatch(/its logits tensor is 12 MB; this GPU.s largest storage buffer is 8.0 MB/);
  });
});
