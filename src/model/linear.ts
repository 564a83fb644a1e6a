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

/** x [N, d] times the transpose of table [V, d]: the tied output layer. */
export function linearTransposed(x: tf.Tensor2D, table: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad(((xs: tf.Tensor, ts: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xs, ts]);
    return {
      value: tf.matMul(xs as tf.Tensor2D, tf.transpose(ts as tf.Tensor2D)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xv, tv] = saved as tf.Tensor2D[];
        return [tf.matMul(dy as tf.Tensor2D, tv), tf.matMul(tf.transpose(dy as tf.Tensor2D), xv)];
      },
    };
  }) as GradFn);
  return f(x, table) as tf.Tensor2D;
}

/**
 * Rows of table [V, d] for ids [N], as one-hot x table: `wasm` has no gather gradient (no UnsortedSegmentSum).
 * The ids get no gradient.
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const oneHot = tf.oneHot(tf.cast(ids, 'int32'), table.shape[0]).toFloat() as tf.Tensor2D;
  const f = tf.customGrad(((ts: tf.Tensor, save: tf.GradSaveFunc) => {
    save([oneHot]); // kept by the engine until the backward pass
    return {
      value: tf.matMul(oneHot, ts as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D)],
    };
  }) as GradFn);
  return f(table) as tf.Tensor2D;
}
