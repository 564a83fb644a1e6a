/**
 * Serving first, on a CPU with few cores. While the policy worker decodes a reply, the background workers
 * (signal, trainer) wait before each of their tfjs kernels, so on two cores a reply's tokens do not wait for the
 * operating system to hand the policy thread back (bench:loop at a visitor's pace: per-token p95 while training
 * ≈ idle, instead of ~1.5×). That wait costs the background its CPU time while replies stream, so the page turns
 * it on only while the background keeps up (`servingFirst`); when feedback backs up (turns sent back to back),
 * both share the cores and no next state goes stale for it. With four cores or more there is room for the
 * policy, the page and both background workers, and nothing is gated.
 *
 * The state is two shared Int32s, made by the page and given to every worker: how many batches decode now, and
 * whether serving goes first. A background kernel waits at most `MAX_WAIT_MS`, so a stuck policy cannot stall
 * training.
 */
import * as tf from '@tensorflow/tfjs';

const DECODING = 0;
const SERVING_FIRST = 1;
/** The longest one background kernel waits for decoding to end. */
export const MAX_WAIT_MS = 250;
/** How often a waiting kernel looks again whether serving still goes first. */
const LOOK_MS = 5;

/** Cores below which the background yields to decoding: the policy, the page and two background workers need four. */
const ROOM_FOR_ALL = 4;

/** The shared state, or null where it is not needed (four cores or more) or shared memory is missing (not cross-origin isolated). */
export function servingGateBuffer(cores = globalThis.navigator?.hardwareConcurrency ?? 1): SharedArrayBuffer | null {
  if (cores >= ROOM_FOR_ALL) return null;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  return isolated && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT) : null;
}

/** The page's side: whether the background yields to decoding from now on. */
export function setServingFirst(buffer: SharedArrayBuffer, on: boolean): void {
  Atomics.store(new Int32Array(buffer), SERVING_FIRST, on ? 1 : 0);
}

/** The policy's side: a batch starts (true) or ends (false) decoding. */
export function decodingMarker(buffer: SharedArrayBuffer): (decoding: boolean) => void {
  const state = new Int32Array(buffer);
  return (decoding) => {
    Atomics.add(state, DECODING, decoding ? 1 : -1);
    if (!decoding) Atomics.notify(state, DECODING);
  };
}

/** Before a background kernel: while serving goes first and a reply decodes, wait (at most MAX_WAIT_MS). */
function admitter(state: Int32Array): () => void {
  return () => {
    if (Atomics.load(state, SERVING_FIRST) === 0) return;
    let decoding = Atomics.load(state, DECODING);
    if (decoding === 0) return;
    const until = performance.now() + MAX_WAIT_MS;
    while (decoding !== 0 && Atomics.load(state, SERVING_FIRST) !== 0) {
      const left = until - performance.now();
      if (left <= 0) return;
      Atomics.wait(state, DECODING, decoding, Math.min(left, LOOK_MS));
      decoding = Atomics.load(state, DECODING);
    }
  };
}

const gated = new Set<string>();

/**
 * The background's side: every kernel of this worker's CPU backend (wasm or cpu) first admits itself. A GPU
 * backend's kernels only queue work, so they are left alone; so is a CPU backend started later (a GPU fallback).
 */
export function yieldToServing(buffer: SharedArrayBuffer): void {
  const backend = tf.getBackend();
  if ((backend !== 'wasm' && backend !== 'cpu') || gated.has(backend)) return;
  gated.add(backend);
  const admit = admitter(new Int32Array(buffer));
  for (const config of tf.getKernelsForBackend(backend)) {
    const run = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc: (args) => (admit(), run(args)) });
  }
}
