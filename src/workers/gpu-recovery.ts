/**
 * When the GPU fails under an engine (the device is lost, or a WebGPU call aborts), the engine falls back to
 * wasm, rebuilds its policies from what it kept in memory, and retries the work once; the visitor is told.
 */
import * as tf from '@tensorflow/tfjs';
import { deviceLost, initBackend } from './tfjs-backend.ts';
import type { BackendChoice } from './protocol.ts';

export async function withGpuFallback<T>(
  work: () => Promise<T>,
  rebuild: (choice: BackendChoice) => Promise<void>,
): Promise<{ result: T; fellBack: BackendChoice | null }> {
  try {
    return { result: await work(), fellBack: null };
  } catch (e) {
    if (tf.getBackend() !== 'webgpu') throw e;
    const why = deviceLost ?? (e instanceof Error ? e.message : String(e));
    const choice = await initBackend('wasm');
    const fellBack = { backend: choice.backend, reason: `the GPU failed (${why}); running on wasm from the last weights` };
    await rebuild(fellBack);
    return { result: await work(), fellBack };
  }
}
