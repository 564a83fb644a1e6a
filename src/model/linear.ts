import * as tf from '@tensorflow/tfjs';

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * Linear maps with hand-written gradients. On tfjs `wasm`, matMul with a transpose flag is ~10x slower than a
 * plain one and tfjs's own matMul gradient uses those flags (shared/MEASURED.md), so every backward here
 * transposes explicitly and then calls a plain matMul.
 */

/**
 * x [N, in] times w [in, out]. `weightGradient` false for a frozen weight (a base under an adapter): the backward
 * then computes only x's gradient — no [in, out] gradient per projection, half the FLOPs and the memory — without
 * a transposed copy of the weight.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, weightGradient = true): tf.Tensor2D {
  if (!weightGradient) {
    const frozen = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
      save([]);
      return {
        value: tf.matMul(xs as tf.Tensor2D, w),
        // (dy·wᵀ) as (w·dyᵀ)ᵀ: transposes dy and the result, never w (the tied output layer's is 113 MB at 135M)
        gradFunc: (dy: tf.Tensor) => [tf.transpose(tf.matMul(w, tf.transpose(dy as tf.Tensor2D)))],
      };
    }) as GradFn);
    return frozen(x) as tf.Tensor2D;
  }
  const f = tf.customGrad(((xs: tf.Tensor, ws: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xs, ws]);
    return {
      value: tf.matMul(xs as tf.Tensor2D, ws as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xv, wv] = saved as tf.Tensor2D[];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(wv)), tf.matMul(tf.transpose(xv), dy as tf.Tensor2D)];
      },
    };
  }) as GradFn);
  return f(x, w) as tf.Tensor2D;
}

/**
 * The vectors of ids [N] from an embedding stored as table [d, V] (one column per token): a gather, so a large
 * vocabulary costs nothing on the forward pass. Its gradient is written out because `wasm` has no gather
 * gradient (no UnsortedSegmentSum): one-hot(ids)ᵀ scattered back, as plain matMuls. The ids get no gradient; a
 * frozen table (`tableGradient` false) none either.
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D, tableGradient = true): tf.Tensor2D {
  const index = tf.cast(ids, 'int32');
  if (!tableGradient) return tf.transpose(tf.gather(table, index, 1));
  const f = tf.customGrad(((ts: tf.Tensor, save: tf.GradSaveFunc) => {
    save([index]); // kept by the engine until the backward pass
    return {
      value: tf.transpose(tf.gather(ts as tf.Tensor2D, index, 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const oneHot = tf.oneHot(saved[0] as tf.Tensor1D, table.shape[1]).toFloat() as tf.Tensor2D;
        return [tf.matMul(tf.transpose(dy as tf.Tensor2D), oneHot)];
      },
    };
  }) as GradFn);
  return f(table) as tf.Tensor2D;
}
