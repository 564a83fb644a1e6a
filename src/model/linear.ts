import * as tf from '@tensorflow/tfjs';

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * Linear maps with hand-written gradients. On tfjs `wasm`, matMul with a transpose flag is ~10x slower than a
 * plain one and tfjs's own matMul gradient uses those flags (shared/MEASURED.md), so every backward here
 * transposes explicitly and then calls a plain matMul.
 */

/** x [N, in] times w [in, out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
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
 * gradient (no UnsortedSegmentSum): one-hot(ids)ᵀ scattered back, as plain matMuls. The ids get no gradient.
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const index = tf.cast(ids, 'int32');
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
