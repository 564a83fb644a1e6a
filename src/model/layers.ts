import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.ts';

const RMS_EPS = 1e-5;

/** RMSNorm over the last axis with a learned gain (pre-norm: applied before attention and the MLP). */
export function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor1D): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, RMS_EPS))), gain);
}

/** SwiGLU MLP: down( silu(x·gate) * (x·up) ). Gate and up are separate matrices: a column split is slow on wasm. */
export function swiGlu(x: tf.Tensor2D, gateW: tf.Tensor2D, upW: tf.Tensor2D, down: tf.Tensor2D): tf.Tensor2D {
  const gate = linear(x, gateW);
  const up = linear(x, upW);
  const silu = tf.mul(gate, tf.sigmoid(gate));
  return linear(tf.mul(silu, up), down);
}
