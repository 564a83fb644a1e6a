import * as tf from '@tensorflow/tfjs';
import type { LayerCache } from './kv-cache.ts';
import { linear } from './linear.ts';

export interface AttentionShape {
  batch: number;
  seqLen: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
}

/**
 * Additive mask [B, 1, g·T, keyLen] for queries at slots start..start+T-1 and keys at the last keyLen slots up to
 * start+T-1, repeated for the g query heads that share a key/value head: 0 where the key may be seen, a large
 * negative where it is after the query or is one of the row's `leftPadding` slots. Undefined when nothing is
 * masked (a single query on an unpadded batch).
 */
export function attentionMask(start: number, seqLen: number, keyLen: number, groups: number, leftPadding: readonly number[]): tf.Tensor4D | undefined {
  if (seqLen === 1 && leftPadding.every((p) => p === 0)) return undefined;
  const batch = leftPadding.length;
  const keyStart = start + seqLen - keyLen;
  const rows = groups * seqLen;
  const bias = new Float32Array(batch * rows * keyLen);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < seqLen; i++) {
      for (let j = 0; j < keyLen; j++) {
        const key = keyStart + j;
        if (key <= start + i && key >= leftPadding[b]) continue;
        for (let g = 0; g < groups; g++) bias[(b * rows + g * seqLen + i) * keyLen + j] = -1e9;
      }
    }
  }
  return tf.tensor4d(bias, [batch, 1, rows, keyLen]);
}

/**
 * Grouped-query attention: rotated queries q [B, T, nHeads, hd] (the 1/sqrt(hd) scale already folded in), keys
 * k and values v [B, T, nKvHeads, hd]. The g = nHeads/nKvHeads query heads of one key/value head are stacked as
 * g·T rows against it, so keys and values are never repeated. With `past` (keys and values of earlier positions)
 * the new queries also attend to them. Returns the heads merged [B·T, nHeads·hd] and the full keys and values
 * (past + new, [B·nKvHeads, positions, hd]) for the KV cache. With `planar` the products run as one 2-D product per
 * (row, key/value head) with linear()'s gradients: the same products, faster on `wasm`, whose batched matMul runs at
 * about a tenth of a 2-D one's speed (shared/MEASURED.md).
 */
export function groupedQueryAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  s: AttentionShape,
  mask: tf.Tensor4D | undefined,
  past?: LayerCache,
  planar = false,
): { merged: tf.Tensor2D; cache: LayerCache } {
  const groups = s.nHeads / s.nKvHeads;
  const bk = s.batch * s.nKvHeads;
  const toKv = (x: tf.Tensor4D) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [bk, s.seqLen, s.headDim]) as tf.Tensor3D;
  const queries = tf.reshape(tf.transpose(q, [0, 2, 1, 3]), [bk, groups * s.seqLen, s.headDim]) as tf.Tensor3D;
  let keys = toKv(k);
  let values = toKv(v);
  if (past) {
    keys = tf.concat([past.k, keys], 1);
    values = tf.concat([past.v, values], 1);
  }
  const mixed = planar ? planarProducts(queries, keys, values, mask, s.batch) : batchedProducts(queries, keys, values, mask, s.batch); // [B·kv, g·T, hd]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(mixed, [s.batch, s.nHeads, s.seqLen, s.headDim]), [0, 2, 1, 3]),
    [s.batch * s.seqLen, s.nHeads * s.headDim],
  ) as tf.Tensor2D;
  return { merged, cache: { k: keys, v: values } };
}

/** softmax(q·kᵀ + mask)·v as batched products over the B·kv slices. */
function batchedProducts(queries: tf.Tensor3D, keys: tf.Tensor3D, values: tf.Tensor3D, mask: tf.Tensor4D | undefined, batch: number): tf.Tensor3D {
  const [bk, rows] = queries.shape;
  const keyLen = keys.shape[1];
  let scores: tf.Tensor3D = tf.matMul(queries, keys, false, true);
  if (mask) scores = tf.reshape(tf.add(tf.reshape(scores, [batch, bk / batch, rows, keyLen]), mask), [bk, rows, keyLen]);
  return tf.matMul(tf.softmax(scores), values);
}

/**
 * The same products as one 2-D product per slice with linear()'s gradients. The scores stay one tensor per slice:
 * `wasm` copies the whole source for every slice it cuts (its Slice reads the input out of the heap first), so
 * cutting a [B·kv, g·T, keys] score tensor into slices would copy it B·kv times; queries, keys and values are
 * hd wide, their cuts cheap.
 */
function planarProducts(queries: tf.Tensor3D, keys: tf.Tensor3D, values: tf.Tensor3D, mask: tf.Tensor4D | undefined, batch: number): tf.Tensor3D {
  const perRow = queries.shape[0] / batch;
  const ks = tf.unstack(keys) as tf.Tensor2D[];
  const vs = tf.unstack(values) as tf.Tensor2D[];
  const masks = mask && (tf.unstack(tf.squeeze(mask, [1])) as tf.Tensor2D[]);
  const mixed = (tf.unstack(queries) as tf.Tensor2D[]).map((qi, i) => {
    const scores = linear(qi, tf.transpose(ks[i]));
    return linear(tf.softmax(masks ? (tf.add(scores, masks[Math.floor(i / perRow)]) as tf.Tensor2D) : scores), vs[i]);
  });
  return tf.stack(mixed) as tf.Tensor3D;
}
