import { resolveConfig, type ModelConfig } from './presets.ts';
import { createRng, type Rng } from './rng.ts';

/** A named weight as plain data: what checkpoints store and what the trainer publishes to the server. */
export interface WeightSpec {
  name: string;
  shape: number[];
}

/**
 * Every weight of the policy, in a fixed order (the checkpoint and the parameter count follow it). Matrices are
 * held as [in, out] (the transpose of a Hugging Face file's [out, in]) because a plain matMul is ~10x faster on
 * wasm than a transposed one (shared/MEASURED.md); for the same reason the embedding is [dModel, vocab]: the
 * tied output layer is then a plain x·embed and the look-up gathers columns. hf/names.ts maps these names to
 * a checkpoint's own.
 */
export function weightSpecs(config: ModelConfig): WeightSpec[] {
  const c = resolveConfig(config);
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const specs: WeightSpec[] = [{ name: 'embed', shape: [c.dModel, c.vocabSize] }];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `layers.${i}.`;
    specs.push(
      { name: `${p}attn_norm`, shape: [c.dModel] },
      { name: `${p}wq`, shape: [c.dModel, q] },
      { name: `${p}wk`, shape: [c.dModel, kv] },
      { name: `${p}wv`, shape: [c.dModel, kv] },
    );
    if (c.qkvBias) specs.push({ name: `${p}bq`, shape: [q] }, { name: `${p}bk`, shape: [kv] }, { name: `${p}bv`, shape: [kv] });
    if (c.qkNorm) specs.push({ name: `${p}q_norm`, shape: [c.headDim] }, { name: `${p}k_norm`, shape: [c.headDim] });
    specs.push(
      { name: `${p}wo`, shape: [q, c.dModel] },
      { name: `${p}mlp_norm`, shape: [c.dModel] },
      { name: `${p}w_gate`, shape: [c.dModel, c.dFF] },
      { name: `${p}w_up`, shape: [c.dModel, c.dFF] },
      { name: `${p}w_down`, shape: [c.dFF, c.dModel] },
    );
  }
  specs.push({ name: 'final_norm', shape: [c.dModel] });
  if (!c.tiedEmbedding) specs.push({ name: 'head', shape: [c.dModel, c.vocabSize] });
  return specs;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Fresh weights from a seed, computed in plain JS so every backend starts from identical numbers:
 * norms 1, biases 0, matrices N(0, 0.02²), the residual outputs (wo, w_down) scaled by 1/sqrt(2·layers) (GPT-2's rule).
 */
export function initialWeights(c: ModelConfig, seed: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  const out: Record<string, Float32Array> = {};
  const residualStd = 0.02 / Math.sqrt(2 * c.nLayers);
  for (const { name, shape } of weightSpecs(c)) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith('norm')) data.fill(1);
    else if (!/\.b[qkv]$/.test(name)) {
      const std = name.endsWith('wo') || name.endsWith('w_down') ? residualStd : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = gaussian(rng) * std;
    }
    out[name] = data;
  }
  return out;
}
