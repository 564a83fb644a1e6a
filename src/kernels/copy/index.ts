/** `copyOnGpu`: copies `bytes` (a multiple of 16) from one GPU buffer to another with copy.wgsl.ts. */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { pipelineFor } from '../gpu/pipelines.ts';
import { runDispatches } from '../gpu/run.ts';
import { copyWgsl } from './copy.wgsl.ts';

export async function copyOnGpu(backend: WebGPUBackend, sources: GPUBuffer[], target: GPUBuffer, bytes: number, workgroups: number): Promise<void> {
  if (bytes % 16 !== 0) throw new RangeError('copyOnGpu: bytes must be a multiple of 16');
  const device = backend.device;
  const pipeline = await pipelineFor(device, copyWgsl, 'copy');
  const count = bytes / 16;
  const groups = Math.min(workgroups, Math.ceil(count / 256), device.limits.maxComputeWorkgroupsPerDimension);
  runDispatches(
    backend,
    sources.map((source) => ({
      pipeline,
      params: new Uint32Array([count, groups * 256]),
      buffers: [{ buffer: source, size: bytes }, { buffer: target, size: bytes }],
      workgroups: [groups, 1, 1] as [number, number, number],
    })),
  );
}
