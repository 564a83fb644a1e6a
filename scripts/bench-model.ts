/**
 * `npm run bench:model -- --json [--preset tiny] [--backend wasm] [--context 128] [--decode 64] [--out file.json]`
 * `npm run bench:model -- --json --shape smollm2-135m` (a Hugging Face model's exact shape on random weights; see lib/bench-shape.ts)
 * `npm run bench:model -- --json --dawn [--shape …]`: the `webgpu` backend in Node on Dawn for Node (lib/dawn.ts);
 * the report then names the adapter. Training steps need tfjs-webgpu's dataSync, which needs a browser's
 * OffscreenCanvas: on Dawn they report their error instead of a time.
 *
 * Speed of the policy on one backend, as figures and ratios measured in one run (never a timed test):
 * KV-cached decode from a 128-token context vs recomputing the whole sequence per token, teacher-forced
 * scoring, and one training step (forward + backward + Adam) on a batch of 4 x 128 tokens.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Policy } from '../src/model/policy.ts';
import { presetConfig, type PresetName } from '../src/model/presets.ts';
import { defaultTokenizer } from '../src/model/tokenizer.ts';
import { Adam } from '../src/model/adam.ts';
import { trainStep } from '../src/model/reply-loss.ts';
import { sampleToken } from '../src/model/sampling.ts';
import { createRng } from '../src/model/rng.ts';
import { benchShape } from './lib/bench-shape.ts';
import { installDawn, uninstallDawn } from './lib/dawn.ts';
import { registerWebGPUBackend } from '../src/kernels/gpu/register-backend.ts';
import { adapterInfo } from '../src/kernels/bench/measure.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    preset: { type: 'string', default: 'tiny' },
    backend: { type: 'string', default: 'wasm' },
    repeats: { type: 'string', default: '3' },
    shape: { type: 'string' },
    dawn: { type: 'boolean', default: false },
    context: { type: 'string', default: '128' },
    decode: { type: 'string', default: '64' },
    out: { type: 'string' },
  },
});

if (args.dawn) {
  await installDawn();
  registerWebGPUBackend();
  args.backend = 'webgpu';
}
/** Prints the result (JSON with --json, else lines); with --out also writes it there as JSON. */
function report(result: Record<string, unknown>): void {
  if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else for (const [k, v] of Object.entries(result)) console.log(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
}
const exit = (code: number): never => {
  if (args.dawn) {
    tf.engine().reset();
    uninstallDawn();
  }
  process.exit(code);
};

if (args.shape) {
  if (!(await tf.setBackend(args.backend!))) throw new Error(`bench:model: backend ${args.backend} did not start`);
  await tf.ready();
  const result = await benchShape(args.shape);
  report(result);
  exit(0);
}

if (!(await tf.setBackend(args.backend!))) throw new Error(`bench:model: backend ${args.backend} did not start`);
await tf.ready();
const config = presetConfig(args.preset as PresetName, defaultTokenizer().vocabSize);
const policy = Policy.create(config, 1);
const repeats = Number(args.repeats);
const CONTEXT = Number(args.context);
const DECODE = Number(args.decode);
const rng = createRng(7);
const randomIds = (n: number) => Array.from({ length: n }, () => 7 + Math.floor(rng() * (config.vocabSize - 7)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up (kernel compilation, allocations)
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const prompt = randomIds(CONTEXT);
const progress = (line: string) => process.stderr.write(`[bench:model] ${line} (${Math.round(performance.now() / 1000)} s)\n`);
progress(`${tf.getBackend()}: decode`);

// KV-cached decode: time for DECODE tokens minus the time for the prefill and the first one
const withPrefill = await time(() => policy.generate(prompt, { maxTokens: DECODE + 1, seed: 1 }));
const prefillOnly = await time(() => policy.generate(prompt, { maxTokens: 1, seed: 1 }));
const cachedMs = withPrefill - prefillOnly;

// The same decode without a cache: a full forward over the growing sequence for every new token
async function recompute(): Promise<void> {
  const ids = [...prompt];
  const sample = createRng(1);
  for (let i = 0; i < DECODE; i++) {
    const logits = tf.tidy(() => {
      const { logits } = policy.forward(tf.tensor2d([ids], [1, ids.length], 'int32'));
      return tf.slice(logits, [ids.length - 1, 0], [1, config.vocabSize]);
    });
    const row = (await logits.data()) as Float32Array;
    logits.dispose();
    ids.push(sampleToken(row, 0.6, 1, sample).id);
  }
}
progress('recompute');
const recomputeMs = await time(recompute);
progress('score');

const context = randomIds(64);
const response = randomIds(64);
const scoreMs = await time(() => policy.score(context, response, { k: 4 }));

const adam = new Adam(policy.variables);
const batch = {
  ids: Array.from({ length: 4 }, () => randomIds(128)),
  lossMask: Array.from({ length: 4 }, () => new Array(128).fill(1)),
};
progress('train step');
let trainMs: number | null = null;
let trainError: string | undefined;
try {
  trainMs = await time(() => trainStep(policy, adam, batch, 1e-4));
} catch (e) {
  if (tf.getBackend() !== 'webgpu') throw e;
  trainError = e instanceof Error ? e.message : String(e); // dataSync without OffscreenCanvas (Dawn for Node)
}

const result = {
  backend: tf.getBackend(),
  ...(tf.getBackend() === 'webgpu' && { adapter: await adapterInfo() }),
  preset: args.preset,
  params: policy.parameterCount,
  context_tokens: CONTEXT,
  decode_tokens_per_s: Math.round((DECODE / cachedMs) * 1000 * 10) / 10,
  recompute_tokens_per_s: Math.round((DECODE / recomputeMs) * 1000 * 10) / 10,
  decode_speedup_vs_recompute: Math.round((recomputeMs / cachedMs) * 100) / 100,
  score_tokens_per_s: Math.round((response.length / scoreMs) * 1000),
  train_step_ms: trainMs === null ? null : Math.round(trainMs),
  train_tokens_per_s: trainMs === null ? null : Math.round((4 * 128 * 1000) / trainMs),
  ...(trainError && { train_error: trainError }),
  targets: { decode_tokens_per_s: '>= 100', decode_speedup_vs_recompute: '>= 5', train_step_ms: '<= 1500' },
};
report(result);
adam.dispose();
policy.dispose();
exit(0);
