/** Runs a list of dispatches on tfjs's device, after tfjs's pending work (see tfjs-webgpu.ts). */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { encodeDispatches, type Dispatch } from './pipelines.ts';
import { flushTfjs, poisonBuffers } from './tfjs-webgpu.ts';

export function runDispatches(backend: WebGPUBackend, dispatches: Dispatch[], poison: GPUBuffer[] = []): void {
  const device = backend.device;
  flushTfjs(backend);
  poisonBuffers(device, poison);
  const { commands, uniforms } = encodeDispatches(device, dispatches);
  device.queue.submit([commands]);
  for (const u of uniforms) u.destroy();
}
