import * as tf from '@tensorflow/tfjs';
import { Policy } from '../../src/model/policy.ts';
import { KvCache } from '../../src/model/kv-cache.ts';
import { sampleToken } from '../../src/model/sampling.ts';
import { createRng } from '../../src/model/rng.ts';
import { MODEL_SHAPES } from './model-shapes.ts';
import { PRESETS, presetConfig, type PresetName } from '../../src/model/presets.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { benchLoraUpdate } from './bench-lora.ts';
import { benchSeconds, clockName } from './bench-clock.ts';
import { activeWebGPUBackend } from '../../src/kernels/gpu/tfjs-webgpu.ts';
import { copyOnGpu } from '../../src/kernels/copy/index.ts';
import { adapterInfo } from '../../src/kernels/bench/measure.ts';
import { datasheetLimits } from './gpu-datasheet.ts';

const CONTEXT = 256;
const DECODE = 16;
const REPLY = 64;

/** Bytes copied per CPU second by Float32Array.set between two 256 MiB buffers (far beyond any cache): best of 6. */
export async function copyBandwidth(): Promise<number> {
  const from = new Float32Array(64 << 20).fill(1);
  const to = new Float32Array(64 << 20).fill(2);
  let best = 0;
  for (let i = 0; i < 7; i++) {
    const s = await benchSeconds(() => to.set(from));
    if (i > 0) best = Math.max(best, from.byteLength / s);
  }
  return best;
}

/**
 * On `webgpu`: bytes read per second by the kernels' copy (src/kernels/copy) between two 256 MiB storage buffers (16 MiB on a fallback adapter),
 * best grid and best of 5 after a warm-up, wall time to the queue's end. Reads only, like a decode step's weights
 * (the copy also writes as many bytes: the memory moved is twice this).
 */
async function gpuCopyBandwidth(fallbackAdapter: boolean): Promise<number> {
  const backend = activeWebGPUBackend()!;
  const bytes = fallbackAdapter ? 16 << 20 : 256 << 20; // a software adapter copies ~1 GB/s: keep it short there
  const usage = GPUBufferUsage.STORAGE;
  const from = backend.device.createBuffer({ size: bytes, usage });
  const to = backend.device.createBuffer({ size: bytes, usage });
  let best = 0;
  for (const workgroups of [1024, 4096, 16384, 65535]) {
    for (let i = 0; i < 6; i++) {
      const s = await benchSeconds(() => copyOnGpu(backend, [from], to, bytes, workgroups));
      if (i > 0) best = Math.max(best, bytes / s);
    }
  }
  from.destroy();
  to.destroy();
  return best;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/**
 * A Hugging Face model's exact shape on random weights (frozen, as a served base): KV-cached decode at 256 context,
 * prefill, teacher scoring of a 64-token reply under a hint, peak tensor memory, and decode speed as a fraction
 * of the limit the weights' bytes set at this machine's copy bandwidth; one LoRA update (bench-lora.ts).
 */
export async function benchShape(name: string): Promise<Record<string, unknown>> {
  // a preset's own shape too (tiny: a quick check of this path on a software adapter)
  const config = Object.hasOwn(MODEL_SHAPES, name) ? MODEL_SHAPES[name] : Object.hasOwn(PRESETS, name) ? presetConfig(name as PresetName, defaultTokenizer().vocabSize) : undefined;
  if (!config) throw new Error(`unknown --shape ${name}; known: ${[...Object.keys(MODEL_SHAPES), ...Object.keys(PRESETS)].join(', ')}`);
  const progress = (line: string) => process.stderr.write(`[bench:model ${name}] ${line} (${Math.round(performance.now() / 1000)} s)\n`);
  const gpu = activeWebGPUBackend() !== null;
  progress(`${tf.getBackend()}: copy bandwidth`);
  const adapter = gpu ? await adapterInfo() : null;
  const bandwidth = gpu ? await gpuCopyBandwidth(adapter?.isFallbackAdapter === true) : await copyBandwidth();
  const datasheet = adapter && datasheetLimits(adapter);
  const policy = Policy.create(config, 1);
  const rng = createRng(7);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * config.vocabSize));
  const prompt = ids(CONTEXT);
  let peakBytes = 0;
  const cache = new KvCache();
  const step = async (input: number[], start: number) => {
    const logits = tf.tidy(() => {
      const out = policy.forward(tf.tensor2d([input], [1, input.length], 'int32'), start, cache.length ? cache : undefined, undefined, input.length - 1);
      cache.replace(out.layers);
      return out.logits;
    });
    const row = (await logits.data()) as Float32Array;
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
    logits.dispose();
    return row;
  };
  progress('prefill');
  // prefill (the first run also compiles and allocates: timed separately from the second)
  await step(prompt.slice(0, 8), 0);
  cache.dispose();
  let row: Float32Array = new Float32Array();
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  const decode = async () => {
    const sample = createRng(1);
    for (let i = 0; i < DECODE; i++) {
      const t = performance.now();
      stepCpuMs.push(
        1000 *
          (await benchSeconds(async () => {
            const { id } = sampleToken(row, 0.6, 1, sample);
            row = await step([id], CONTEXT + i);
          })),
      );
      stepMs.push(performance.now() - t);
    }
    cache.dispose();
  };
  if (gpu) {
    // webgpu compiles a shader per new sequence length: one untimed pass over the same lengths first
    row = await step(prompt, 0);
    await decode();
    stepMs.length = stepCpuMs.length = 0;
  }
  const prefillMs = 1000 * (await benchSeconds(async () => (row = await step(prompt, 0))));
  progress('decode');
  await decode();
  progress('teacher score');
  // teacher scoring: context with the hint line appended (METHOD §3), then the 64-token reply
  const hinted = ids(CONTEXT - REPLY);
  const reply = ids(REPLY);
  await policy.score(hinted.slice(0, 4), reply.slice(0, 4));
  const profile = await tf.profile(async () => {
    const t = performance.now();
    await policy.score(hinted, reply, { k: 4, temperature: 0.6 });
    return performance.now() - t;
  });
  const scoreMs = 1000 * (await benchSeconds(() => policy.score(hinted, reply, { k: 4, temperature: 0.6 })));
  peakBytes = Math.max(peakBytes, profile.peakBytes);
  const decodeTokensPerS = 1000 / median(stepCpuMs);
  const weightBytes = policy.parameterCount * 4; // f32; the tied head reads the whole embedding every token
  progress('LoRA update');
  const loraUpdate = await benchLoraUpdate(policy, datasheet?.fp32_flop_per_s);
  const result = {
    backend: tf.getBackend(),
    shape: name,
    params: policy.parameterCount,
    context_tokens: CONTEXT,
    decode_tokens_per_s: +decodeTokensPerS.toFixed(2),
    [gpu ? 'decode_ms_per_token_median' : 'decode_cpu_ms_per_token_median']: +median(stepCpuMs).toFixed(1),
    decode_wall_tokens_per_s: +(1000 / median(stepMs)).toFixed(2),
    prefill_tokens_per_s: +((CONTEXT / prefillMs) * 1000).toFixed(1),
    teacher_score_reply_tokens: REPLY,
    teacher_score_context_tokens: hinted.length,
    teacher_score_ms: Math.round(scoreMs),
    peak_tensor_bytes: peakBytes,
    weight_bytes_read_per_decoded_token: weightBytes,
    ...(gpu
      ? {
          adapter,
          copy_bandwidth_bytes_per_s: Math.round(bandwidth),
          timing: 'wall time to the end of the GPU queue (webgpu); copy_bandwidth is the bytes a GPU copy kernel reads per second',
        }
      : {
          copy_bandwidth_bytes_per_cpu_s: Math.round(bandwidth),
          timing: 'per CPU second of this process (the machine is shared; the wasm backend runs on one thread), except decode_wall_tokens_per_s',
        }),
    decode_bandwidth_limit_tokens_per_s: +(bandwidth / weightBytes).toFixed(2),
    decode_fraction_of_bandwidth_limit: +((weightBytes * decodeTokensPerS) / bandwidth).toFixed(3),
    ...(datasheet && {
      datasheet,
      decode_datasheet_limit_tokens_per_s: +(datasheet.memory_bandwidth_bytes_per_s / weightBytes).toFixed(1),
      decode_fraction_of_datasheet_bandwidth: +((weightBytes * decodeTokensPerS) / datasheet.memory_bandwidth_bytes_per_s).toFixed(4),
    }),
    ...loraUpdate,
    targets: { decode_fraction_of_bandwidth_limit: '>= 0.5', lora_update_ms: '<= 10000', lora_update_fraction_of_compute_limit: '>= 0.3', peak_memory_mb: '<= 1536' },
  };
  policy.dispose();
  return result;
}
