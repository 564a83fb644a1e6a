/**
 * Registers tfjs's `webgpu` backend on a device that may also have `subgroups`: tfjs 4.22 never asks for
 * that feature, so without this the kernels always take their workgroup-memory path. Same limits and
 * features as tfjs's own registration otherwise. Call before `tf.setBackend('webgpu')`.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export function registerWebGPUBackend(options: { subgroups?: boolean } = {}): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new Error('registerWebGPUBackend: no WebGPU adapter');
      const wanted = ['timestamp-query', 'bgra8unorm-storage'] as GPUFeatureName[];
      if (options.subgroups !== false) wanted.push('subgroups' as GPUFeatureName);
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: wanted.filter((f) => adapter.features.has(f)),
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}
