import * as tf from '@tensorflow/tfjs';
import { resolveConfig, type ModelConfig } from '../presets.ts';
import { elementCount, type WeightSpec } from '../weights.ts';
import { linear } from '../linear.ts';
import { createRng } from '../rng.ts';

/** The projections an adapter may wrap, in PEFT's own module names. */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** The graph weight (weights.ts) each target wraps. */
export const TARGET_WEIGHT: Readonly<Record<LoraTarget, string>> = {
  q_proj: 'wq',
  k_proj: 'wk',
  v_proj: 'wv',
  o_proj: 'wo',
  gate_proj: 'w_gate',
  up_proj: 'w_up',
  down_proj: 'w_down',
};

export const ATTENTION_TARGETS: readonly LoraTarget[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
export const ALL_TARGETS: readonly LoraTarget[] = LORA_TARGETS;

/** What an adapter is: rank r, scale alpha / r, input dropout while training, and the projections it wraps. */
export interface LoraConfig {
  r: number;
  alpha: number;
  dropout: number;
  targets: readonly LoraTarget[];
}

/**
 * The adapter's weights in the graph's layout, per layer and target: `layers.{i}.{weight}.lora_a` [in, r] and
 * `.lora_b` [r, out] (x·A·B, plain matMuls; PEFT's files hold the transposes, see peft.ts).
 */
export function adapterSpecs(model: ModelConfig, lora: LoraConfig): WeightSpec[] {
  const c = resolveConfig(model);
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const dims: Record<LoraTarget, [number, number]> = {
    q_proj: [c.dModel, q],
    k_proj: [c.dModel, kv],
    v_proj: [c.dModel, kv],
    o_proj: [q, c.dModel],
    gate_proj: [c.dModel, c.dFF],
    up_proj: [c.dModel, c.dFF],
    down_proj: [c.dFF, c.dModel],
  };
  const specs: WeightSpec[] = [];
  for (let i = 0; i < c.nLayers; i++) {
    for (const target of LORA_TARGETS) {
      if (!lora.targets.includes(target)) continue;
      const [inDim, outDim] = dims[target];
      const p = `layers.${i}.${TARGET_WEIGHT[target]}`;
      specs.push({ name: `${p}.lora_a`, shape: [inDim, lora.r] }, { name: `${p}.lora_b`, shape: [lora.r, outDim] });
    }
  }
  return specs;
}

/** The adapter a settings object asks for (src/rl/settings.ts: loraRank, loraAlpha, loraDropout, loraTargets). */
export function loraConfigOf(s: { loraRank: number; loraAlpha: number; loraDropout: number; loraTargets: 'attention' | 'attention+mlp' }): LoraConfig {
  return { r: s.loraRank, alpha: s.loraAlpha, dropout: s.loraDropout, targets: s.loraTargets === 'attention' ? ATTENTION_TARGETS : ALL_TARGETS };
}

/** Whether two configs describe the same adapter (rank, alpha, dropout and targets, in order). */
export function sameLoraConfig(a: LoraConfig, b: LoraConfig): boolean {
  return a.r === b.r && a.alpha === b.alpha && a.dropout === b.dropout && a.targets.length === b.targets.length && a.targets.every((t, i) => t === b.targets[i]);
}

/** A config's problems, one line each (empty when it is usable). */
export function loraConfigProblems(lora: LoraConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(lora.r) || lora.r < 1) problems.push(`r must be a positive integer, got ${lora.r}`);
  if (!Number.isFinite(lora.alpha) || lora.alpha <= 0) problems.push(`alpha must be positive, got ${lora.alpha}`);
  if (!(lora.dropout >= 0 && lora.dropout < 1)) problems.push(`dropout must be in [0, 1), got ${lora.dropout}`);
  if (lora.targets.length === 0) problems.push('no target modules');
  for (const t of lora.targets) if (!LORA_TARGETS.includes(t)) problems.push(`unknown target module "${t}"`);
  return problems;
}

/**
 * Fresh adapter weights: A uniform in ±1/sqrt(in) (PEFT's kaiming-uniform bound), B zero, so a new adapter leaves
 * the base's outputs exactly as they were (version 0 is the base).
 */
export function initialAdapterWeights(model: ModelConfig, lora: LoraConfig, seed: number): Record<string, Float32Array> {
  const rng = createRng(seed);
  const out: Record<string, Float32Array> = {};
  for (const { name, shape } of adapterSpecs(model, lora)) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith('.lora_a')) {
      const bound = 1 / Math.sqrt(shape[0]);
      for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * bound;
    }
    out[name] = data;
  }
  return out;
}

let adapterCount = 0;

/**
 * A LoRA adapter (STYLE: PEFT): low-rank updates W + (alpha/r)·A·B on some projections of a frozen base. Create
 * it, apply it (Policy.project asks `delta`), merge it into a base's weights, save it (getWeights, peft.ts).
 */
export class LoraAdapter {
  readonly config: LoraConfig;
  readonly model: ModelConfig;
  /** Adapter weights by name (adapterSpecs): what the trainer trains when a policy carries an adapter. */
  readonly variables = new Map<string, tf.Variable>();
  readonly scale: number;
  /** Dropout on the adapter's input applies only while training. */
  training = false;
  /**
   * While training, recompute each layer in the backward instead of keeping its intermediates (gradient
   * checkpointing: a third more forward work, a fraction of the memory). Set for one step by optimizerStep when the
   * memory plan needs it (update-memory.ts planUpdate); only with dropout 0.
   */
  checkpointing = false;
  private readonly wraps: Set<string>;

  constructor(model: ModelConfig, config: LoraConfig, weights: Record<string, Float32Array>) {
    const problems = loraConfigProblems(config);
    if (problems.length > 0) throw new Error(`LoRA config: ${problems.join('; ')}`);
    this.model = { ...model };
    this.config = { ...config, targets: [...config.targets] };
    this.scale = config.alpha / config.r;
    const id = adapterCount++;
    for (const { name, shape } of adapterSpecs(model, config)) {
      const data = weights[name];
      if (!data || data.length !== elementCount(shape)) {
        this.dispose();
        throw new Error(`adapter weight "${name}" missing or of the wrong size`);
      }
      this.variables.set(name, tf.variable(tf.tensor(data, shape), true, `lora${id}/${name}`));
    }
    this.wraps = new Set([...this.variables.keys()].filter((n) => n.endsWith('.lora_a')).map((n) => n.slice(0, -'.lora_a'.length)));
  }

  /** A new adapter with B = 0 (deterministic for a seed). */
  static create(model: ModelConfig, config: LoraConfig, seed = 1): LoraAdapter {
    return new LoraAdapter(model, config, initialAdapterWeights(model, config, seed));
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /** Whether the graph weight `name` (e.g. `layers.0.wq`) is wrapped. */
  wrapsWeight(name: string): boolean {
    return this.wraps.has(name);
  }

  /** (alpha/r)·(x·A)·B for the wrapped weight `name`: what the adapter adds to x·W. */
  delta(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const a = this.variables.get(`${name}.lora_a`) as unknown as tf.Tensor2D;
    const b = this.variables.get(`${name}.lora_b`) as unknown as tf.Tensor2D;
    const input = this.training && this.config.dropout > 0 ? (tf.dropout(x, this.config.dropout) as tf.Tensor2D) : x;
    return tf.mul(linear(linear(input, a), b), this.scale);
  }

  /** The base's weights with this adapter merged in (W + (alpha/r)·A·B on every wrapped weight); others as given. */
  merge(base: Record<string, Float32Array>): Record<string, Float32Array> {
    const out = { ...base };
    for (const name of this.wraps) {
      const w = base[name];
      if (!w) throw new Error(`merge: the base has no weight "${name}"`);
      const merged = tf.tidy(() => {
        const a = this.variables.get(`${name}.lora_a`)!;
        const b = this.variables.get(`${name}.lora_b`)!;
        const product = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
        return tf.add(tf.tensor(w, product.shape), tf.mul(product, this.scale));
      });
      out[name] = merged.dataSync() as Float32Array;
      merged.dispose();
    }
    return out;
  }

  getWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.variables) out[name] = v.dataSync() as Float32Array;
    return out;
  }

  /** Overwrite every adapter weight in place (a new version published by the trainer). */
  setWeights(weights: Record<string, Float32Array>): void {
    for (const [name, v] of this.variables) {
      const data = weights[name];
      if (!data || data.length !== v.size) throw new Error(`adapter weight "${name}" missing or of the wrong size`);
      const next = tf.tensor(data, v.shape);
      v.assign(next);
      next.dispose();
    }
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }
}
