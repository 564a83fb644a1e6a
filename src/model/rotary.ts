import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig } from './presets.ts';

/**
 * Rotary positions in Hugging Face's rotate-half layout: each head's channels are split in halves (x1, x2) and
 * rotated as (x1·cos − x2·sin, x2·cos + x1·sin), pair j turning at inverse frequency θ^(−2j/headDim). The rotation
 * is computed as x·cos + swapHalves(x)·sinSigned, so `sin` carries the sign. The query's rows also carry the
 * attention scale 1/sqrt(headDim).
 */
export interface RotaryRows {
  /** [B, T, 1, headDim], broadcast over the heads. */
  cosQ: tf.Tensor4D;
  sinQ: tf.Tensor4D;
  cosK: tf.Tensor4D;
  sinK: tf.Tensor4D;
}

/** Inverse frequency of each rotary pair, with Llama 3's frequency-dependent scaling when configured. */
export function inverseFrequencies(c: ResolvedConfig): Float64Array {
  const half = c.headDim / 2;
  const inv = Float64Array.from({ length: half }, (_, j) => Math.pow(c.ropeBase, (-2 * j) / c.headDim));
  const s = c.ropeScaling;
  if (!s) return inv;
  // transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short ones kept, a smooth blend between
  const lowFreqWavelen = s.originalMaxLen / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxLen / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f;
    if (wavelen > lowFreqWavelen) return f / s.factor;
    const smooth = (s.originalMaxLen / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** The rotation of every (row, step) at `positions` [B·T] (row-major), as tensors shared by all layers of a forward. */
export function rotaryRows(c: ResolvedConfig, inverse: Float64Array, positions: ArrayLike<number>, batch: number, seqLen: number): RotaryRows {
  const hd = c.headDim;
  const half = hd / 2;
  const queryScale = 1 / Math.sqrt(hd);
  const n = batch * seqLen;
  const cos = new Float32Array(n * hd);
  const sin = new Float32Array(n * hd);
  const cosQ = new Float32Array(n * hd);
  const sinQ = new Float32Array(n * hd);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < hd; j++) {
      const angle = positions[r] * inverse[j % half];
      const sign = j < half ? -1 : 1;
      const at = r * hd + j;
      cos[at] = Math.cos(angle);
      sin[at] = Math.sin(angle) * sign;
      cosQ[at] = Math.cos(angle) * queryScale;
      sinQ[at] = Math.sin(angle) * queryScale * sign;
    }
  }
  const shape: [number, number, number, number] = [batch, seqLen, 1, hd];
  return { cosQ: tf.tensor4d(cosQ, shape), sinQ: tf.tensor4d(sinQ, shape), cosK: tf.tensor4d(cos, shape), sinK: tf.tensor4d(sin, shape) };
}

/** [hd, hd] permutation exchanging the two halves of a head: x·P = (x2, x1). Symmetric, so its own gradient. */
function halfSwapMatrix(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const p = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    p[i * headDim + i + half] = 1;
    p[(i + half) * headDim + i] = 1;
  }
  return tf.tensor2d(p, [headDim, headDim]);
}

/** One permutation per backend and head size, kept: every layer of every decode step uses it twice. */
const halfSwaps = new WeakMap<object, Map<number, tf.Tensor2D>>();

function halfSwap(headDim: number): tf.Tensor2D {
  const backend = tf.backend();
  let kept = halfSwaps.get(backend);
  if (!kept) halfSwaps.set(backend, (kept = new Map()));
  let p = kept.get(headDim);
  if (!p || p.isDisposed) {
    p = tf.keep(halfSwapMatrix(headDim));
    kept.set(headDim, p);
  }
  return p;
}

/** x [N, hd] with each row's halves exchanged, as a plain matMul (tf.reverse is slow on wasm). */
function swapHalves(x: tf.Tensor2D, headDim: number): tf.Tensor2D {
  const f = tf.customGrad(((xs: tf.Tensor) => {
    const p = halfSwap(headDim);
    return {
      value: tf.matMul(xs as tf.Tensor2D, p),
      gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, halfSwap(headDim))],
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor2D;
}

/** Rotate heads x [B, T, heads, hd] by their rows' cos and signed sin [B, T, 1, hd]. */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [b, t, heads, hd] = x.shape;
  const swapped = tf.reshape(swapHalves(tf.reshape(x, [b * t * heads, hd]), hd), [b, t, heads, hd]);
  return tf.add(tf.mul(x, cos), tf.mul(swapped, sin));
}
