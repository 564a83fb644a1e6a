/**
 * Serving first, on a CPU with few cores. While the policy worker decodes a reply, the background workers
 * (signal, trainer) wait before each of their tfjs kernels, so on two cores a reply's tokens do not wait for the
 * operating system to hand the policy thread back (bench:loop at a visitor's pace: per-token p95 while training
 * ≈ idle, instead of ~1.5×). That wait costs the background its CPU time while replies stream, so the page turns
 * it on only while the background keeps up (`servingFirst`); when feedback backs up (turns sent back to back),
 * both share the cores and no next state goes stale for it. With four cores or more there is room for the
 * policy, the page and both background workers, and nothing is gated.
 *
 * The state is three shared Int32s, made by the page and given to every worker: how many batches decode now,
 * whether serving goes first, and the decoding steps so far. A background kernel waits while steps keep coming;
 * MAX_WAIT_MS without one ends the wait and the next FREE_MS run unwaited, so a stuck policy cannot stall training.
 */
import * as tf from '@tensorflow/tfjs';

const DECODING = 0;
const SERVING_FIRST = 1;
/** Decoding steps so far (the policy counts each one): a wait ends when they stop coming. */
const STEPS = 2;
/** The longest a background kernel waits without a decoding step. */
export const MAX_WAIT_MS = 250;
/** After a wait that ran out, how long the background runs without waiting. */
export const FREE_MS = 4 * MAX_WAIT_MS;
/** How often a waiting kernel looks again whether serving still goes first. */
const LOOK_MS = 5;

/** Cores below which the background yields to decoding: the policy, the page and two background workers need four. */
const ROOM_FOR_ALL = 4;

/** The shared state, or null where it is not needed (four cores or more) or shared memory is missing (not cross-origin isolated). */
export function servingGateBuffer(cores = globalThis.navigator?.hardwareConcurrency ?? 1): SharedArrayBuffer | null {
  if (cores >= ROOM_FOR_ALL) return null;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  return isolated && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT) : null;
}

/** The page's side: whether the background yields to decoding from now on. */
export function setServingFirst(buffer: SharedArrayBuffer, on: boolean): void {
  Atomics.store(new Int32Array(buffer), SERVING_FIRST, on ? 1 : 0);
}

/** What the policy tells the gate: a batch starts decoding, takes a step (a token for each row), or ends. */
export type DecodingEvent = 'start' | 'step' | 'end';

/** The policy's side. */
export function decodingMarker(buffer: SharedArrayBuffer): (event: DecodingEvent) => void {
  const state = new Int32Array(buffer);
  return (event) => {
    if (event === 'step') Atomics.add(state, STEPS, 1);
    else Atomics.add(state, DECODING, event === 'start' ? 1 : -1);
    if (event === 'end') Atomics.notify(state, DECODING);
  };
}

/**
 * Before a background kernel: while serving goes first and a reply decodes, wait for the reply to end. A wait in
 * which no decoding step came for MAX_WAIT_MS (a policy that died decoding) ends, and lets the kernels of the
 * next FREE_MS run unwaited, so a stuck mark slows the background by a fifth at most, never to a crawl.
 */
function admitter(state: Int32Array): () => void {
  let freeUntil = 0;
  return () => {
    if (Atomics.load(state, SERVING_FIRST) === 0) return;
    let decoding = Atomics.load(state, DECODING);
    if (decoding === 0 || performance.now() < freeUntil) return;
    let steps = Atomics.load(state, STEPS);
    let until = performance.now() + MAX_WAIT_MS;
    while (decoding !== 0 && Atomics.load(state, SERVING_FIRST) !== 0) {
      const now = performance.now();
      const stepped = Atomics.load(state, STEPS);
      if (stepped !== steps) [steps, until] = [stepped, now + MAX_WAIT_MS];
      if (now >= until) {
        freeUntil = now + FREE_MS;
        return;
      }
      Atomics.wait(state, DECODING, decoding, Math.min(until - now, LOOK_MS));
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
