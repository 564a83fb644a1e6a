import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.ts';
import { applyRotary, type RotaryRows } from './rotary.ts';
import type { LayerCache } from './kv-cache.ts';

export interface AttentionShape {
  batch: number;
  seqLen: number;
  nHeads: number;
  headDim: number;
}

/**
 * Additive causal mask [T, keyLen] for queries at positions start..start+T-1 and keys at the last keyLen
 * positions up to start+T-1: 0 where the key is not after the query, a large negative where it is.
 */
export function causalMaskBias(start: number, seqLen: number, keyLen: number): tf.Tensor2D {
  const keyStart = start + seqLen - keyLen;
  const bias = new Float32Array(seqLen * keyLen);
  for (let i = 0; i < seqLen; i++) for (let j = 0; j < keyLen; j++) if (keyStart + j > start + i) bias[i * keyLen + j] = -1e9;
  return tf.tensor2d(bias, [seqLen, keyLen]);
}


/**
 * Causal multi-head self-attention on x [B·T, d], rotated by `rotary` (the rows of its positions). With `past`
 * (keys and values of earlier positions) the new queries also attend to them; `mask` [T, keys] is the causal
 * bias (omitted for a single query). Returns the output and the full keys and values (past + new) for the
 * KV cache.
 */
export function causalSelfAttention(
  x: tf.Tensor2D,
  wqkv: tf.Tensor2D,
  wo: tf.Tensor2D,
  s: AttentionShape,
  rotary: RotaryRows,
  mask: tf.Tensor2D | undefined,
  past?: LayerCache,
): { out: tf.Tensor2D; cache: LayerCache } {
  const d = s.nHeads * s.headDim;
  const qkv = tf.reshape(linear(x, wqkv), [s.batch, s.seqLen, 3 * d]) as tf.Tensor3D;
  const rotated = applyRotary(qkv, rotary, s.headDim);
  // [B·T, 3, d] -> [3, B·T, d] -> q, k, v as contiguous blocks (column splits and 5-D transposes are slow on wasm)
  const bh = s.batch * s.nHeads;
  const parts = tf.unstack(tf.transpose(tf.reshape(rotated, [s.batch * s.seqLen, 3, d]), [1, 0, 2]));
  const toHeads = (x: tf.Tensor) =>
    tf.reshape(tf.transpose(tf.reshape(x, [s.batch, s.seqLen, s.nHeads, s.headDim]), [0, 2, 1, 3]), [bh, s.seqLen, s.headDim]) as tf.Tensor3D;
  const [q, k0, v0] = parts.map(toHeads);
  let k = k0;
  let v = v0;
  if (past) {
    k = tf.concat([past.k, k], 1);
    v = tf.concat([past.v, v], 1);
  }
  let scores = tf.matMul(q, k, false, true); // the 1/sqrt(hd) scale is folded into the query rotation
  if (mask) scores = tf.add(scores, mask);
  const mixed = tf.matMul(tf.softmax(scores), v); // [BH, T, hd]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(mixed, [s.batch, s.nHeads, s.seqLen, s.headDim]), [0, 2, 1, 3]),
    [s.batch * s.seqLen, d],
  ) as tf.Tensor2D;
  return { out: linear(merged, wo), cache: { k, v } };
}
