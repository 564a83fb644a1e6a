import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './presets.ts';
import { weightSpecs, initialWeights, elementCount } from './weights.ts';
import { embed, linearTransposed } from './linear.ts';
import { rmsNorm, swiGlu } from './layers.ts';
import { rotaryTables, rotaryRows, type RotaryTables } from './rotary.ts';
import { causalMaskBias, causalSelfAttention } from './attention.ts';
import type { KvCache, LayerCache } from './kv-cache.ts';
import { generate, type GenerateOptions, type GenerateResult } from './generate.ts';
import { score, responseLogits, type ScoreOptions, type ScoreResult } from './score.ts';

let policyCount = 0;

/**
 * The policy: a decoder-only transformer (tied embedding, pre-RMSNorm, rotary positions, causal multi-head
 * attention, SwiGLU). Its weights are named tf.Variables so tfjs autograd trains them directly.
 */
export class Policy {
  readonly config: ModelConfig;
  /** Trainable weights by their checkpoint name (see weights.ts). */
  readonly variables: Map<string, tf.Variable>;
  private readonly rotary: RotaryTables;

  constructor(config: ModelConfig, weights: Record<string, Float32Array>) {
    const headDim = config.dModel / config.nHeads;
    if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`dModel/nHeads must be an even integer`);
    this.config = { ...config };
    const id = policyCount++;
    this.variables = new Map();
    for (const { name, shape } of weightSpecs(config)) {
      const data = weights[name];
      if (!data || data.length !== elementCount(shape)) throw new Error(`weight "${name}" missing or of the wrong size`);
      this.variables.set(name, tf.variable(tf.tensor(data, shape), true, `policy${id}/${name}`));
    }
    this.rotary = rotaryTables(config);
  }

  /** A randomly initialised policy (deterministic for a seed on every backend). */
  static create(config: ModelConfig, seed = 1): Policy {
    return new Policy(config, initialWeights(config, seed));
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  private w<T extends tf.Tensor>(name: string): T {
    return this.variables.get(name) as unknown as T;
  }

  /**
   * Logits [B·T, V] for ids [B, T] placed at positions start..start+T-1, attending also to `cache` (positions
   * 0..start-1) when given. Returns the keys and values of every position for the next decode step.
   */
  forward(ids: tf.Tensor2D, start = 0, cache?: KvCache): { logits: tf.Tensor2D; layers: LayerCache[] } {
    const c = this.config;
    const [batch, seqLen] = ids.shape;
    if (start + seqLen > c.maxLen) throw new Error(`sequence of ${start + seqLen} tokens exceeds maxLen ${c.maxLen}`);
    const shape = { batch, seqLen, nHeads: c.nHeads, headDim: c.dModel / c.nHeads };
    const table = this.w<tf.Tensor2D>('embed');
    const pastLen = cache?.length ?? 0;
    const rotary = rotaryRows(this.rotary, start, seqLen);
    const mask = seqLen > 1 ? causalMaskBias(start, seqLen, pastLen + seqLen) : undefined;
    let x = embed(tf.reshape(ids, [batch * seqLen]) as tf.Tensor1D, table);
    const layers: LayerCache[] = [];
    for (let i = 0; i < c.nLayers; i++) {
      const p = `layers.${i}.`;
      const attn = causalSelfAttention(
        rmsNorm(x, this.w(`${p}attn_norm`)),
        this.w(`${p}wqkv`),
        this.w(`${p}wo`),
        shape,
        rotary,
        mask,
        cache?.layers[i],
      );
      layers.push(attn.cache);
      x = tf.add(x, attn.out);
      x = tf.add(x, swiGlu(rmsNorm(x, this.w(`${p}mlp_norm`)), this.w(`${p}w_gate`), this.w(`${p}w_up`), this.w(`${p}w_down`)));
    }
    const logits = linearTransposed(rmsNorm(x, this.w('final_norm')), table);
    return { logits, layers };
  }

  /** Next-token logits [B, T, V] for int32 ids [B, T]; differentiable by tfjs autograd. */
  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = ids.shape;
      return tf.reshape(this.forward(ids).logits, [b, t, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Sample a reply with the KV cache, streaming each token (see generate.ts). */
  generate(promptIds: readonly number[], options: GenerateOptions): Promise<GenerateResult> {
    return generate(this, promptIds, options);
  }

  /** Teacher-forced log-probs, log-sum-exp and top-k of a given response (see score.ts). */
  score(contextIds: readonly number[], responseIds: readonly number[], options: ScoreOptions = {}): Promise<ScoreResult> {
    return score(this, contextIds, responseIds, options);
  }

  /** Logits/temperature [responseLength, V] of a given response, left on the backend; the caller disposes. */
  responseLogits(contextIds: readonly number[], responseIds: readonly number[], temperature = 0.6): tf.Tensor2D {
    return responseLogits(this, contextIds, responseIds, temperature);
  }

  /** Copies of every weight (read back from the backend). */
  getWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.variables) out[name] = v.dataSync() as Float32Array;
    return out;
  }

  /** Overwrite every weight in place (e.g. a new version published by the trainer). */
  setWeights(weights: Record<string, Float32Array>): void {
    for (const { name, shape } of weightSpecs(this.config)) {
      const data = weights[name];
      if (!data || data.length !== elementCount(shape)) throw new Error(`weight "${name}" missing or of the wrong size`);
      const next = tf.tensor(data, shape);
      this.variables.get(name)!.assign(next);
      next.dispose();
    }
  }

  /** An independent copy (a frozen teacher or reference): later updates to either do not touch the other. */
  clone(): Policy {
    return new Policy(this.config, this.getWeights());
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }
}
