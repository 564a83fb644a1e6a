import type { ModelConfig } from './presets.ts';
import { createRng, type Rng } from './rng.ts';

/** A named weight as plain data: what checkpoints store and what the trainer publishes to the server. */
export interface WeightSpec {
  name: string;
  shape: number[];
}

/** Every weight of the policy, in a fixed order (the checkpoint and the parameter count follow it). */
export function weightSpecs(c: ModelConfig): WeightSpec[] {
  const specs: WeightSpec[] = [{ name: 'embed', shape: [c.vocabSize, c.dModel] }];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `layers.${i}.`;
    specs.push(
      { name: `${p}attn_norm`, shape: [c.dModel] },
      { name: `${p}wqkv`, shape: [c.dModel, 3 * c.dModel] },
      { name: `${p}wo`, shape: [c.dModel, c.dModel] },
      { name: `${p}mlp_norm`, shape: [c.dModel] },
      { name: `${p}w_gate`, shape: [c.dModel, c.dFF] },
      { name: `${p}w_up`, shape: [c.dModel, c.dFF] },
      { name: `${p}w_down`, shape: [c.dFF, c.dModel] },
    );
  }
  specs.push({ name: 'final_norm', shape: [c.dModel] });
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
 * norms 1, matrices N(0, 0.02²), the residual outputs (wo, w_down) scaled by 1/sqrt(2·layers) (GPT-2's rule).
 */
export function initialWeights(c: ModelConfig, seed: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  const out: Record<string, Float32Array> = {};
  const residualStd = 0.02 / Math.sqrt(2 * c.nLayers);
  for (const { name, shape } of weightSpecs(c)) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith('norm')) data.fill(1);
    else {
      const std = name.endsWith('wo') || name.endsWith('w_down') ? residualStd : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = gaussian(rng) * std;
    }
    out[name] = data;
  }
  return out;
}
