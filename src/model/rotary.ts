import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './presets.ts';

/**
 * Rotary position tables for the fused q|k|v activations [.., 3·dModel], one row per position.
 * Each head's channels are split in halves (x1, x2) rotated as (x1·cos − x2·sin, x2·cos + x1·sin); the rotation
 * is computed as x·cos + reverseHalves(x)·sinSigned, so `sin` carries the sign. Value channels pass through
 * (cos 1, sin 0) and query channels also carry the attention scale 1/sqrt(headDim).
 */
export interface RotaryTables {
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
  return { cos: tf.tensor2d(cos, [c.maxLen, width]), sin: tf.tensor2d(sin, [c.maxLen, width]) };
}

/** Rotate qkv [B, T, 3·dModel] whose first position is `start`. */
export function applyRotary(qkv: tf.Tensor3D, tables: RotaryTables, start: number, headDim: number): tf.Tensor3D {
  const [b, t, width] = qkv.shape;
  const cos = tf.slice(tables.cos, [start, 0], [t, width]);
  const sin = tf.slice(tables.sin, [start, 0], [t, width]);
  const halves = tf.reshape(qkv, [b * t * (width / headDim), 2, headDim / 2]);
  const swapped = tf.reshape(tf.reverse(halves, 1), [b, t, width]);
  return tf.add(tf.mul(qkv, cos), tf.mul(swapped, sin));
}
