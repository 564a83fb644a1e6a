import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './presets.ts';

/**
 * Rotary position tables for the fused q|k|v activations [.., 3·dModel], one row per position.
 * Each head's channels are split in halves (x1, x2) rotated as (x1·cos − x2·sin, x2·cos + x1·sin); the rotation
 * is computed as x·cos + swapHalves(x)·sinSigned, so `sin` carries the sign. Value channels pass through
 * (cos 1, sin 0) and query channels also carry the attention scale 1/sqrt(headDim).
 */
export interface RotaryTables {
  width: number;
  /** [maxLen · width], row-major by position. Plain arrays: slicing a big tensor costs ~0.2 ms on wasm. */
  cos: Float32Array;
  sin: Float32Array;
}

/** The rotation of positions start..start+t-1, as tensors [t, width] (created per forward, shared by its layers). */
export interface RotaryRows {
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

export function rotaryTables(c: ModelConfig): RotaryTables {
  const headDim = c.dModel / c.nHeads;
  const half = headDim / 2;
  const width = 3 * c.dModel;
  const cos = new Float32Array(c.maxLen * width);
  const sin = new Float32Array(c.maxLen * width);
  const queryScale = 1 / Math.sqrt(headDim);
  for (let pos = 0; pos < c.maxLen; pos++) {
    for (let ch = 0; ch < width; ch++) {
      const at = pos * width + ch;
      const part = Math.floor(ch / c.dModel); // 0 query, 1 key, 2 value
      if (part === 2) {
        cos[at] = 1;
        continue;
      }
      const j = ch % headDim;
      const pair = j % half;
      const angle = pos * Math.pow(c.ropeBase, (-2 * pair) / headDim);
      const scale = part === 0 ? queryScale : 1;
      cos[at] = Math.cos(angle) * scale;
      sin[at] = Math.sin(angle) * scale * (j < half ? -1 : 1);
    }
  }
  return { width, cos, sin };
}

export function rotaryRows(tables: RotaryTables, start: number, t: number): RotaryRows {
  const from = start * tables.width;
  const to = (start + t) * tables.width;
  return {
    cos: tf.tensor2d(tables.cos.subarray(from, to), [t, tables.width]),
    sin: tf.tensor2d(tables.sin.subarray(from, to), [t, tables.width]),
  };
}

/** [hd, hd] permutation exchanging the two halves of a head: x·P = (x2, x1). Symmetric, so its own gradient. */
function halfSwap(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const p = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    p[i * headDim + i + half] = 1;
    p[(i + half) * headDim + i] = 1;
  }
  return tf.tensor2d(p, [headDim, headDim]);
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

/** Rotate qkv [B, T, 3·dModel] by the rows of its positions. */
export function applyRotary(qkv: tf.Tensor3D, { cos, sin }: RotaryRows, headDim: number): tf.Tensor3D {
  const [b, t, width] = qkv.shape;
  const swapped = tf.reshape(swapHalves(tf.reshape(qkv, [(b * t * width) / headDim, headDim]), headDim), [b, t, width]);
  return tf.add(tf.mul(qkv, cos), tf.mul(swapped, sin));
}
