/**
 * Registers tfjs's `webgpu` backend on a device that may also have `subgroups`: tfjs 4.22 never asks for
 * that feature, so without this the kernels always take their workgroup-memory path. The limits of tfjs's own
 * registration, and the adapter's storage buffers per shader stage (the default is 8): tfjs's AddN binds every
 * input, and a gradient summed from many uses needs more; AddN of more inputs than that is summed in parts.
 * Call before `tf.setBackend('webgpu')`.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** tfjs-webgpu's AddN, wrapped once: more inputs than the device binds are summed in parts, then the parts. */
function splitAddN(): void {
  const own = tf.getKernel('AddN', 'webgpu');
  if (!own || (own.kernelFunc as { split?: true }).split) return;
  const addN = own.kernelFunc;
  const split: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as WebGPUBackend;
    const most = backend.device.limits.maxStorageBuffersPerShaderStage - 1; // the output takes one binding
    let inputs = args.inputs as unknown as tf.TensorInfo[];
    const made: tf.TensorInfo[] = [];
    while (inputs.length > most) {
      const parts: tf.TensorInfo[] = [];
      for (let i = 0; i < inputs.length; i += most) {
        const group = inputs.slice(i, i + most);
        const part = group.length === 1 ? group[0] : (addN({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo);
        if (group.length > 1) made.push(part);
        parts.push(part);
      }
      inputs = parts;
    }
    const sum = addN({ ...args, inputs: inputs as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const part of made) backend.disposeData(part.dataId);
    return sum;
  };
  (split as { split?: true }).split = true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...own, kernelFunc: split });
}

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
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
      splitAddN();
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}
