/**
 * The clock the model benchmarks time with. On the CPU backends (wasm, cpu): this process's CPU time (user +
 * system), so that other processes sharing the cores do not skew the ratios. On `webgpu` the work runs on the GPU
 * and the CPU mostly waits: wall time, up to the moment the GPU queue has finished everything submitted.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { activeWebGPUBackend, flushTfjs } from '../../src/kernels/gpu/tfjs-webgpu.ts';

/** How the figures were timed, for the report. */
export function clockName(): string {
  return tf.getBackend() === 'webgpu' ? 'wall' : 'cpu';
}

async function gpuIdle(backend: WebGPUBackend): Promise<void> {
  flushTfjs(backend);
  await backend.device.queue.onSubmittedWorkDone();
}

/** Seconds fn takes on this backend's clock (see above). */
export async function benchSeconds(fn: () => unknown): Promise<number> {
  const gpu = activeWebGPUBackend();
  if (gpu) {
    await gpuIdle(gpu);
    const t0 = performance.now();
    await fn();
    await gpuIdle(gpu);
    return (performance.now() - t0) / 1000;
  }
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}
