/**
 * The few internals of tfjs's `webgpu` backend (tfjs-backend-webgpu 4.22, pinned) that let our own WGSL
 * read and write tfjs tensors in place: their GPU buffers, new tensors over new buffers, and submission
 * after the work tfjs has already recorded. Nothing here reads a tensor back to the CPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The active tfjs backend when it is `webgpu`, else null (the callers then use the TypeScript reference). */
export function activeWebGPUBackend(): WebGPUBackend | null {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as WebGPUBackend) : null;
}

/** The storage buffer behind a tensor (uploaded first if its values still live on the CPU side). */
export function bufferOf(backend: WebGPUBackend, tensor: tf.Tensor): GPUBuffer {
  backend.uploadToGPU(tensor.dataId);
  const resource = backend.tensorMap.get(tensor.dataId)?.resource;
  if (!(resource instanceof GPUBuffer)) throw new Error('kernels: tensor is not backed by a GPU buffer');
  return resource;
}

/** A new tfjs tensor over a fresh tfjs-managed storage buffer (disposed like any tensor). */
export function newTensorOnGpu(backend: WebGPUBackend, shape: number[], dtype: 'int32' | 'float32'): { tensor: tf.Tensor; buffer: GPUBuffer } {
  const info = backend.makeTensorInfo(shape, dtype);
  const tensor = tf.engine().makeTensorFromTensorInfo(info, backend);
  return { tensor, buffer: bufferOf(backend, tensor) };
}

/**
 * Submits tfjs's pending commands. Call it after taking the buffers and before our own queue writes and
 * submissions: one queue, in order, so our passes see every op tfjs recorded and later tfjs ops see ours.
 */
export function flushTfjs(backend: WebGPUBackend): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** Fills buffers with a word no kernel output can equal by chance (tests poison outputs before a run). */
export function poisonBuffers(device: GPUDevice, buffers: GPUBuffer[]): void {
  for (const b of buffers) device.queue.writeBuffer(b, 0, new Uint32Array(b.size / 4).fill(POISON_WORD));
}

/** 0xdeadbeef: a negative id, and as f32 about -6.3e-18, never a result of these kernels. */
export const POISON_WORD = 0xdeadbeef;
