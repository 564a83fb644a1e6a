/**
 * Browser harness of the policy tests: builds the same seeded random policy on one tfjs backend and reports its
 * logits, a teacher-forced score, a KV-cached greedy reply and one reply-loss gradient, for comparison across
 * backends by test/browser/model-backends.spec.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { Policy } from '../../../src/model/policy.ts';
import type { ModelConfig } from '../../../src/model/presets.ts';
import { replyLoss } from '../../../src/model/reply-loss.ts';
import { createRng } from '../../../src/model/rng.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
});

export const HARNESS_CONFIG: ModelConfig = { vocabSize: 104, dModel: 32, nLayers: 2, nHeads: 2, dFF: 48, maxLen: 64, ropeBase: 10000 };

/** The Hugging Face variations of the same graph: grouped-query attention, q/k/v biases, q/k norm, separate head, llama3 rope scaling. */
export const GQA_CONFIG: ModelConfig = {
  vocabSize: 104, dModel: 48, nLayers: 2, nHeads: 6, nKvHeads: 2, headDim: 8, dFF: 64, maxLen: 64, ropeBase: 1e6, rmsEps: 1e-6,
  qkvBias: true, qkNorm: true, tiedEmbedding: false, ropeScaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxLen: 32 },
};

const VARIANTS = {
  tiny: { config: HARNESS_CONFIG, grads: ['embed', 'layers.0.wq', 'layers.1.w_down', 'final_norm'] },
  gqa: { config: GQA_CONFIG, grads: ['embed', 'layers.0.wk', 'layers.0.bq', 'layers.1.q_norm', 'head'] },
};
export type Variant = keyof typeof VARIANTS;

export interface BackendReport {
  backend: string;
  logits: number[];
  tokenLogprobs: number[];
  logSumExp: number[];
  topIds: number[];
  topLogprobs: number[];
  greedyIds: number[];
  greedyLogprobs: number[];
  loss: number;
  /** Gradient of the reply loss for a few weights, flattened. */
  grads: Record<string, number[]>;
}

function ids(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => 7 + Math.floor(rng() * (HARNESS_CONFIG.vocabSize - 7))); // both variants have 104 tokens
}

async function run(backend: string, seed: number, variant: Variant = 'tiny'): Promise<BackendReport> {
  const { config, grads: names } = VARIANTS[variant];
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
  const policy = Policy.create(config, seed);
  try {
    const sequence = ids(seed + 1, 12);
    const input = tf.tensor2d([sequence, ids(seed + 2, 12)], [2, 12], 'int32');
    const logitsTensor = policy.logits(input);
    const logits = Array.from(await logitsTensor.data());
    tf.dispose([input, logitsTensor]);
    const score = await policy.score(ids(seed + 3, 7), ids(seed + 4, 9), { k: 4, temperature: 0.6 });
    const greedy = await policy.generate(ids(seed + 5, 6), { maxTokens: 8, temperature: 0 });
    const batch = { ids: [ids(seed + 6, 10), ids(seed + 7, 10)], lossMask: [new Array(10).fill(1), [0, 0, 0, 1, 1, 1, 1, 1, 0, 0]] };
    const { value, grads } = tf.variableGrads(() => replyLoss(policy, batch), names.map((n) => policy.variables.get(n)!));
    const report: BackendReport = {
      backend: tf.getBackend(),
      logits,
      tokenLogprobs: Array.from(score.tokenLogprobs),
      logSumExp: Array.from(score.logSumExp),
      topIds: Array.from(score.topIds),
      topLogprobs: Array.from(score.topLogprobs),
      greedyIds: greedy.ids,
      greedyLogprobs: greedy.logprobs,
      loss: (await value.data())[0],
      grads: {},
    };
    for (const n of names) report.grads[n] = Array.from(await grads[policy.variables.get(n)!.name].data());
    tf.dispose([value, ...Object.values(grads)]);
    return report;
  } finally {
    policy.dispose();
  }
}

export interface ModelHarness {
  run: typeof run;
}

(window as unknown as { modelHarness: ModelHarness }).modelHarness = { run };
