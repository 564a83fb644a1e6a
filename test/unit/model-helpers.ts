import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { ModelConfig } from '../../src/model/presets.ts';
import { createRng } from '../../src/model/rng.ts';

/** A model small enough for unit tests in a second, with every part of the real architecture. */
export const MINI: ModelConfig = { vocabSize: 23, dModel: 32, nLayers: 2, nHeads: 2, dFF: 48, maxLen: 64, ropeBase: 10000 };

export async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

export function randomIds(seed: number, n: number, vocab = MINI.vocabSize): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.floor(rng() * vocab));
}

/** Independent reference: log-softmax of a row divided by a temperature, in float64. */
export function referenceLogSoftmax(row: ArrayLike<number>, temperature: number): number[] {
  const z = Array.from(row, (x) => x / temperature);
  const max = Math.max(...z);
  const lse = max + Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0));
  return z.map((x) => x - lse);
}
