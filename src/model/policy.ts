import * as tf from '@tensorflow/tfjs';
import { resolveConfig, type ModelConfig, type ResolvedConfig } from './presets.ts';
import { weightSpecs, initialWeights, elementCount } from './weights.ts';
import { embed, linear } from './linear.ts';
import { rmsNorm, swiGlu } from './layers.ts';
import { inverseFrequencies, rotaryRows, applyRotary } from './rotary.ts';
import { attentionMask, groupedQueryAttention } from './attention.ts';
import type { KvCache, LayerCache } from './kv-cache.ts';
import { generate, type GenerateOptions, type GenerateResult } from './generate.ts';
import { score, responseLogits, type ScoreOptions, type ScoreResult } from './score.ts';
import type { LoraAdapter } from './adapter/lora.ts';

let policyCount = 0;

export interface PolicyOptions {
  /** False for a frozen base (a Hugging Face model): its weights get no gradient. Default true. */
  trainable?: boolean;
}

/**
 * The policy: one decoder-only transformer for every family (STYLE: configs as data): token embedding, per layer
 * pre-RMSNorm grouped-query attention with rotary positions (optional q/k/v biases, optional q/k RMSNorm) and a
 * pre-RMSNorm SwiGLU MLP, a final RMSNorm and a tied or separate output layer. Its weights are named tf.Variables
 * so tfjs autograd trains them directly.
 */
export class Policy {
  readonly config: ModelConfig;
  /** Weights by their graph name (see weights.ts). */
  readonly variables: Map<string, tf.Variable>;
  /** The LoRA adapter applied on top of the weights, if any (see withAdapter). */
  readonly adapter: LoraAdapter | null = null;
  private readonly resolved: ResolvedConfig;
  private readonly inverseFrequencies: Float64Array;
  /** False for a view made by withAdapter: the weights belong to `owner`, the policy it was made from. */
  private readonly ownsWeights: boolean = true;
  /** The policy that owns these weights (itself, unless this is a view). */
  readonly owner: Policy = this;

  constructor(config: ModelConfig, weights: Record<string, Float32Array>, options: PolicyOptions = {}) {
    this.resolved = resolveConfig(config);
    this.config = { ...config };
    const id = policyCount++;
    this.variables = new Map();
    for (const { name, shape } of weightSpecs(config)) {
      const data = weights[name];
      if (!data || data.length !== elementCount(shape)) {
        this.dispose();
        throw new Error(`weight "${name}" missing or of the wrong size`);
      }
      const initial = tf.tensor(data, shape);
      this.variables.set(name, tf.variable(initial, options.trainable ?? true, `policy${id}/${name}`));
      initial.dispose(); // the variable holds its own reference to the data
    }
    this.inverseFrequencies = inverseFrequencies(this.resolved);
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
   * The same weights (not a copy) with `adapter` applied, or with none: the frozen base and the adapted policy
   * share one set of weights. Disposing a view disposes neither the weights nor the adapter.
   */
  withAdapter(adapter: LoraAdapter | null): Policy {
    return Object.assign(Object.create(Policy.prototype) as Policy, this, { adapter, ownsWeights: false });
  }

  /** What an update trains: the adapter's weights when there is one, else every weight (full fine-tuning). */
  get trainableVariables(): Map<string, tf.Variable> {
    return this.adapter ? this.adapter.variables : this.variables;
  }

  /** Whether weight `name` is trained: never under an adapter, else when its variable is trainable. */
  private needsGradient(name: string): boolean {
    return !this.adapter && this.variables.get(name)!.trainable;
  }

  /** x·W (+ bias) (+ the adapter's low-rank term) for the weight `name` [in, out]: every projection of the graph goes through here. */
  project(x: tf.Tensor2D, name: string, bias?: string): tf.Tensor2D {
    let y = linear(x, this.w(name), this.needsGradient(name));
    if (bias) y = tf.add(y, this.w(bias));
    return this.adapter?.wrapsWeight(name) ? tf.add(y, this.adapter.delta(x, name)) : y;
  }

  /**
   * Logits [B·T, V] for ids [B, T] at slots start..start+T-1, attending also to `cache` (slots 0..start-1) when
   * given. Row b's first `leftPadding[b]` slots are padding: never attended to, and its positions count from the
   * first real token, so a left-padded row gives the logits it gives alone. Returns the keys and values of every
   * slot for the next decode step. With `logitsFrom` the logits are those of steps logitsFrom..T-1 of each row only
   * ([B·(T−logitsFrom), V]): the output layer is the largest matrix, and a prefill or a scored reply needs few rows.
   */
  forward(ids: tf.Tensor2D, start = 0, cache?: KvCache, leftPadding?: readonly number[], logitsFrom = 0): { logits: tf.Tensor2D; layers: LayerCache[] } {
    const c = this.resolved;
    const [batch, seqLen] = ids.shape;
    if (start + seqLen > c.maxLen) throw new Error(`sequence of ${start + seqLen} tokens exceeds maxLen ${c.maxLen}`);
    const padding = leftPadding ?? new Array<number>(batch).fill(0);
    if (padding.length !== batch) throw new Error(`leftPadding has ${padding.length} rows, the batch ${batch}`);
    const shape = { batch, seqLen, nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim };
    const positions = new Int32Array(batch * seqLen);
    for (let b = 0; b < batch; b++) for (let t = 0; t < seqLen; t++) positions[b * seqLen + t] = Math.max(0, start + t - padding[b]);
    const rotary = rotaryRows(c, this.inverseFrequencies, positions, batch, seqLen);
    const rotaryAll = rotary;
    const pastLen = cache?.length ?? 0;
    const mask = attentionMask(start, seqLen, pastLen + seqLen, c.nHeads / c.nKvHeads, padding);
    const maskAll = mask;
    const heads = (x: tf.Tensor2D, n: number) => tf.reshape(x, [batch, seqLen, n, c.headDim]) as tf.Tensor4D;
    const headNorm = (x: tf.Tensor4D, gain: string) =>
      c.qkNorm ? (tf.reshape(rmsNorm(tf.reshape(x, [-1, c.headDim]) as tf.Tensor2D, this.w(gain), c.rmsEps), x.shape) as tf.Tensor4D) : x;
    // several positions on wasm (a prefill, a scored reply, an update): attention as 2-D products, whose speed wasm's
    // batched matMul lacks (attention.ts); a decode step's single query keeps the batched ones, the cache uncut
    const planar = seqLen > 1 && tf.getBackend() === 'wasm';
    let x = embed(tf.reshape(ids, [batch * seqLen]) as tf.Tensor1D, this.w('embed'), this.needsGradient('embed'));
    const layers: LayerCache[] = [];
    type Constants = { rotary: typeof rotary; mask: typeof mask };
    const layer = (i: number, input: tf.Tensor2D, { rotary, mask }: Constants = { rotary: rotaryAll, mask: maskAll }) => {
      const p = `layers.${i}.`;
      const h = rmsNorm(input, this.w(`${p}attn_norm`), c.rmsEps);
      const bias = (name: string) => (c.qkvBias ? `${p}${name}` : undefined);
      const q = headNorm(heads(this.project(h, `${p}wq`, bias('bq')), c.nHeads), `${p}q_norm`);
      const k = headNorm(heads(this.project(h, `${p}wk`, bias('bk')), c.nKvHeads), `${p}k_norm`);
      const v = heads(this.project(h, `${p}wv`, bias('bv')), c.nKvHeads);
      const attn = groupedQueryAttention(
        applyRotary(q, rotary.cosQ, rotary.sinQ),
        applyRotary(k, rotary.cosK, rotary.sinK),
        v,
        shape,
        mask,
        cache?.layers[i],
        planar,
      );
      const mixed = tf.add(input, this.project(attn.merged, `${p}wo`)) as tf.Tensor2D;
      const next = tf.add(mixed, swiGlu(rmsNorm(mixed, this.w(`${p}mlp_norm`), c.rmsEps), (y, which) => this.project(y, `${p}${which}`)));
      return { x: next as tf.Tensor2D, k: attn.cache.k, v: attn.cache.v };
    };
    const recompute = this.adapter?.training && this.adapter.checkpointing && this.adapter.config.dropout === 0 && !cache;
    for (let i = 0; i < c.nLayers; i++) {
      if (recompute) {
        // the constants travel as saved tensors: the forward's own are freed before the backward runs
        const constants = [rotary.cosQ, rotary.sinQ, rotary.cosK, rotary.sinK, ...(mask ? [mask] : [])];
        x = this.recomputedLayer(x, `layers.${i}.`, constants, (input, [cosQ, sinQ, cosK, sinK, m]) =>
          layer(i, input, { rotary: { cosQ, sinQ, cosK, sinK } as typeof rotary, mask: m as typeof mask }).x,
        );
        continue;
      }
      // one tidy per layer: a long prefill holds one layer's intermediates at a time, not every layer's
      const out = tf.tidy(() => layer(i, x));
      layers.push({ k: out.k, v: out.v });
      x = out.x;
    }
    if (logitsFrom > 0) {
      const rows = seqLen - logitsFrom;
      x = tf.reshape(tf.slice(tf.reshape(x, [batch, seqLen, c.dModel]), [0, logitsFrom, 0], [batch, rows, c.dModel]), [batch * rows, c.dModel]);
    }
    const logits = this.project(rmsNorm(x, this.w('final_norm'), c.rmsEps), c.tiedEmbedding ? 'embed' : 'head');
    return { logits, layers };
  }

  /**
   * One layer under gradient checkpointing, while an adapter trains with `checkpointing` on: the forward keeps only the layer's input;
   * the backward runs the layer again and takes the gradients of its input and of its adapter weights from
   * that. An update then holds one layer's intermediates at a time instead of every layer's (no KV cache is
   * returned).
   */
  private recomputedLayer(x: tf.Tensor2D, prefix: string, constants: tf.Tensor[], run: (input: tf.Tensor2D, constants: tf.Tensor[]) => tf.Tensor2D): tf.Tensor2D {
    const weights = [...this.adapter!.variables].filter(([name]) => name.startsWith(prefix)).map(([, v]) => v);
    const f = tf.customGrad(((...args: unknown[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const input = args[0] as tf.Tensor2D;
      save([input, ...constants]);
      return {
        value: run(input, constants),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [again, ...kept] = saved;
          // the weights are the adapter's own variables: run() reads them, so their gradients come out of one pass.
          // A gradient taken inside a backward pass replaces the engine's tape and clears it when done: the
          // outer pass still needs its tape (to free what its nodes saved), so it is put back.
          const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
          const outer = state.activeTape;
          try {
            return tf.grads((a: tf.Tensor) => tf.sum(tf.mul(run(a as tf.Tensor2D, kept), dy)))([again, ...weights]);
          } finally {
            state.activeTape = outer;
          }
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x, ...weights) as tf.Tensor2D;
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

  /** An independent copy of the weights, without the adapter (a frozen teacher or reference): later updates to either do not touch the other. */
  clone(): Policy {
    return new Policy(this.config, this.getWeights(), { trainable: [...this.variables.values()].every((v) => v.trainable) });
  }

  dispose(): void {
    if (!this.ownsWeights) return;
    for (const v of this.variables.values()) v.dispose();
  }
}
