import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../../src/model/policy.ts';
import { resolveConfig } from '../../src/model/presets.ts';
import { Adam } from '../../src/model/adam.ts';
import { optimizerStep } from '../../src/model/optimizer-step.ts';
import { LoraAdapter, adapterSpecs, loraConfigOf } from '../../src/model/adapter/lora.ts';
import { planUpdate, updateMemoryCap } from '../../src/model/adapter/update-memory.ts';
import { hybridLoss } from '../../src/rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import { samplesResponseLogits } from '../../src/workers/response-logits.ts';
import { createRng } from '../../src/model/rng.ts';
import { benchSeconds } from './bench-clock.ts';

const PROMPT = 128;
const REPLY = 64;
const K = 4;

/** FLOP/s of a plain matMul of the update's own sizes (N rows × d × dFF) on this backend: best of 5 (bench-clock.ts). */
async function matMulFlops(n: number, inner: number, out: number): Promise<number> {
  const a = tf.randomNormal([n, inner]);
  const b = tf.randomNormal([inner, out]);
  let best = 0;
  for (let i = 0; i < 6; i++) {
    const s = await benchSeconds(async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    });
    if (i > 0) best = Math.max(best, (2 * n * inner * out) / s);
  }
  a.dispose();
  b.dispose();
  return best;
}

/**
 * Multiply-add FLOPs of one LoRA step on N tokens of which `logitRows` get logits: the forward (every projection,
 * attention, the head on the reply's rows only, as the trainer runs it), the backward to the activations through
 * the same (no gradient for the frozen weights: ×1 for projections, ×2 for attention), and the adapter's own
 * forward and gradients (×3).
 */
function updateFlops(policy: Policy, n: number, logitRows: number, adapterParams: number): number {
  const c = resolveConfig(policy.config);
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const perLayer = c.dModel * (2 * q + 2 * kv) + 3 * c.dModel * c.dFF;
  const projections = 2 * (n * c.nLayers * perLayer + logitRows * c.dModel * c.vocabSize);
  const attention = c.nLayers * 4 * n * n * q;
  return 2 * projections + 3 * attention + 3 * 2 * n * adapterParams;
}

/**
 * One LoRA update (r = 8 on q, k, v, o, one epoch) for one combined sample of 128 prompt + 64 reply tokens, the
 * trainer's path (samplesResponseLogits → hybridLoss → optimizerStep, checkpointing as planUpdate says), after a warm-up step; the teacher scoring of
 * that reply timed separately; peak tensor memory over the update; the update's FLOPs against this backend's
 * measured matMul FLOP/s.
 */
export async function benchLoraUpdate(policy: Policy, datasheetFp32?: number): Promise<Record<string, unknown>> {
  const settings = { ...DEFAULT_SETTINGS, finetune: 'lora' as const };
  const lora = loraConfigOf(settings);
  const adapter = LoraAdapter.create(policy.config, lora, 3);
  const adapted = policy.withAdapter(adapter);
  const rng = createRng(11);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * policy.config.vocabSize));
  const prompt = ids(PROMPT);
  const reply = ids(REPLY);
  const hinted = [...prompt.slice(0, PROMPT - 16), ...ids(16)];
  const student = await adapted.score(prompt, reply, { k: K, temperature: settings.temperature });
  let teacher = student;
  const teacherMs = 1000 * (await benchSeconds(async () => (teacher = await policy.score(hinted, reply, { k: K, temperature: settings.temperature }))));
  const top = (t: number, of: ArrayLike<number>) => Array.from({ length: K }, (_, j) => of[t * K + j]);
  const sample: SampleRecord = {
    session_id: 'bench', turn: 1, policy_version: 0, case: 'combined', prompt_ids: prompt, response_ids: reply,
    response_logprobs: Array.from(student.tokenLogprobs), loss_mask: reply.map(() => 1), reward: { score: -1 },
    hints: ['hint'], hint: 'hint', hint_index: reply.map(() => 0),
    support_ids: reply.map((_, t) => top(t, student.topIds)),
    old_logprobs_at_support: reply.map((_, t) => top(t, student.topLogprobs)),
    teacher_logprobs_at_support: reply.map((_, t) => top(t, teacher.topLogprobs)),
  };
  // as the trainer runs it: gradient checkpointing only when the memory plan needs it under the default cap
  const plan = planUpdate(policy.config, lora, { samples: 1, tokens: PROMPT + REPLY - 1, logitRows: REPLY }, updateMemoryCap(settings));
  const adam = new Adam(adapted.trainableVariables, { beta1: settings.adamBeta1, beta2: settings.adamBeta2, epsilon: settings.adamEpsilon, weightDecay: settings.weightDecay });
  const step = () => {
    const batch = batchFromSamples([sample], settings);
    try {
      return optimizerStep(adapted, adam, () => hybridLoss(samplesResponseLogits(adapted, [sample], REPLY), batch, settings).loss, settings.lr, settings.gradClip, { checkpointing: plan.shape.checkpointing });
    } finally {
      disposeBatch(batch);
    }
  };
  const tokens = PROMPT + REPLY - 1;
  const c = resolveConfig(policy.config);
  const limit = await matMulFlops(tokens, c.dModel, c.dFF);
  // on a known GPU also a matMul big enough to fill it (4096³): how near tfjs's matMul gets to the datasheet at all
  const large = datasheetFp32 ? await matMulFlops(4096, 4096, 4096) : null;
  const computeLimits = {
    matmul_gflop_per_s: +(limit / 1e9).toFixed(2),
    ...(datasheetFp32 && { matmul_fraction_of_datasheet_fp32: +(limit / datasheetFp32).toFixed(4) }),
    ...(large && datasheetFp32 && { matmul_4096_gflop_per_s: +(large / 1e9).toFixed(1), matmul_4096_fraction_of_datasheet_fp32: +(large / datasheetFp32).toFixed(4) }),
  };
  try {
    step(); // warm-up: kernels compiled, buffers allocated
  } catch (e) {
    // tfjs-webgpu's dataSync (the loss and the clip's norm) needs OffscreenCanvas: a browser's, not Dawn for Node's
    adam.dispose();
    adapter.dispose();
    return { lora_r: lora.r, lora_params: adapter.parameterCount, lora_teacher_score_ms: Math.round(teacherMs), ...computeLimits, lora_update_error: e instanceof Error ? e.message : String(e) };
  }
  const before = tf.memory().numBytes;
  let wall = 0;
  const profile = await tf.profile(async () => {
    const t = performance.now();
    step();
    wall = performance.now() - t;
  });
  const cpuMs = 1000 * (await benchSeconds(step));
  const flops = updateFlops(policy, tokens, REPLY, adapter.parameterCount);
  const result = {
    lora_r: lora.r,
    lora_targets: lora.targets.join(','),
    lora_params: adapter.parameterCount,
    lora_adapter_bytes: adapterSpecs(policy.config, lora).reduce((n, s) => n + 4 * s.shape[0] * s.shape[1], 0),
    lora_update_prompt_tokens: PROMPT,
    lora_update_reply_tokens: REPLY,
    lora_update_checkpointing: plan.shape.checkpointing === true,
    lora_update_ms: Math.round(cpuMs),
    lora_update_wall_ms: Math.round(wall),
    lora_update_tokens_per_s: +((tokens / cpuMs) * 1000).toFixed(1),
    lora_teacher_score_ms: Math.round(teacherMs),
    lora_update_gflop: +(flops / 1e9).toFixed(2),
    ...computeLimits,
    lora_update_fraction_of_compute_limit: +(flops / (cpuMs / 1000) / limit).toFixed(3),
    ...(datasheetFp32 && { lora_update_fraction_of_datasheet_fp32: +(flops / (cpuMs / 1000) / datasheetFp32).toFixed(5) }),
    peak_memory_mb: Math.round(profile.peakBytes / 2 ** 20),
    peak_memory_estimate_mb: Math.round(plan.memory.totalBytes / 2 ** 20),
    update_memory_cap_mb: settings.updateMemoryMb,
    memory_before_update_mb: Math.round(before / 2 ** 20),
    process_max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  adam.dispose();
  adapter.dispose();
  return result;
}
