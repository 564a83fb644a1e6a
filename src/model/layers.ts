import * as tf from '@tensorflow/tfjs';

/** RMSNorm over the last axis with a learned gain (pre-norm: applied before attention and the MLP). */
export function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain);
}

/** SwiGLU MLP: down( silu(x·gate) * (x·up) ). Gate and up are separate matrices: a column split is slow on wasm. */
export function swiGlu(x: tf.Tensor2D, project: (x: tf.Tensor2D, which: 'w_gate' | 'w_up' | 'w_down') => tf.Tensor2D): tf.Tensor2D {
  const gate = project(x, 'w_gate');
  const up = project(x, 'w_up');
  const silu = tf.mul(gate, tf.sigmoid(gate));
  return project(tf.mul(silu, up), 'w_down');
}
