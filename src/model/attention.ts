import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.ts';
import { applyRotary, type RotaryTables } from './rotary.ts';
import type { LayerCache } from './kv-cache.ts';

export interface AttentionShape {
  batch: number;
  seqLen: number;
  nHeads: number;
  headDim: number;
}

/** Additive causal mask [maxLen, maxLen]: 0 where key position <= query position, a large negative above. */
export function causalMaskBias(maxLen: number): tf.Tensor2D {
  const bias = new Float32Array(maxLen * maxLen);
  for (let i = 0; i < maxLen; i++) for (let j = i + 1; j < maxLen; j++) bias[i * maxLen + j] = -1e9;
  return tf.tensor2d(bias, [maxLen, maxLen]);
}

function toHeads(x: tf.Tensor, s: AttentionShape, groups: number): tf.Tensor4D {
  // [B, T, groups·H, hd] -> [B, groups·H, T, hd]
  return tf.transpose(tf.reshape(x, [s.batch, s.seqLen, groups * s.nHeads, s.headDim]), [0, 2, 1, 3]);
}

/**
 * Causal multi-head self-attention on x [B·T, d] with rotary positions starting at `start`. With `past`
 * (keys and values of positions 0..start-1) the new queries also attend to them. Returns the output and this
 * call's full keys and values (past + new) for the KV cache.
 */
export function causalSelfAttention(
  x: tf.Tensor2D,
  wqkv: tf.Tensor2D,
  wo: tf.Tensor2D,
  s: AttentionShape,
  rotary: RotaryTables,
  mask: tf.Tensor2D,
  start: number,
  past?: LayerCache,
): { out: tf.Tensor2D; cache: LayerCache } {
  const d = s.nHeads * s.headDim;
  const qkv = tf.reshape(linear(x, wqkv), [s.batch, s.seqLen, 3 * d]) as tf.Tensor3D;
  const rotated = applyRotary(qkv, rotary, start, s.headDim);
  const heads = toHeads(rotated, s, 3);
  const [q4, k4, v4] = tf.split(heads, 3, 1);
  const bh = s.batch * s.nHeads;
  const q = tf.reshape(q4, [bh, s.seqLen, s.headDim]) as tf.Tensor3D;
  let k = tf.reshape(k4, [bh, s.seqLen, s.headDim]) as tf.Tensor3D;
  let v = tf.reshape(v4, [bh, s.seqLen, s.headDim]) as tf.Tensor3D;
  if (past) {
    k = tf.concat([past.k, k], 1);
    v = tf.concat([past.v, v], 1);
  }
  const keyLen = k.shape[1];
  let scores = tf.matMul(q, k, false, true); // the 1/sqrt(hd) scale is folded into the query rotation
  // keys cover positions keyStart..start+T-1 (keyStart is 0 whenever the cache holds every earlier position)
  const keyStart = start + s.seqLen - keyLen;
  if (s.seqLen > 1) scores = tf.add(scores, tf.slice(mask, [start, keyStart], [s.seqLen, keyLen]));
  const mixed = tf.matMul(tf.softmax(scores), v); // [BH, T, hd]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(mixed, [s.batch, s.nHeads, s.seqLen, s.headDim]), [0, 2, 1, 3]),
    [s.batch * s.seqLen, d],
  ) as tf.Tensor2D;
  return { out: linear(merged, wo), cache: { k, v } };
}
