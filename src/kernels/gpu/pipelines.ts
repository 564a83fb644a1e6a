/** Compiled compute pipelines, one per (device, WGSL source), and the dispatch recorder the kernels share. */

const cache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The pipeline for `code` (entry point `main`); compile errors reject with the compiler's message. */
export function pipelineFor(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  let pipeline = perDevice.get(code);
  if (!pipeline) {
    const module = device.createShaderModule({ code, label });
    pipeline = device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
    perDevice.set(code, pipeline);
    pipeline.catch(() => perDevice.delete(code));
  }
  return pipeline;
}

/** One dispatch: binding 0 is a uniform block built from `params` (u32 words), then `buffers` in order. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  params: Uint32Array;
  buffers: GPUBufferBinding[];
  workgroups: [number, number, number];
}

/** Records the dispatches in one compute pass; returns the command buffer and the uniform buffers to free after submission. */
export function encodeDispatches(device: GPUDevice, dispatches: Dispatch[]): { commands: GPUCommandBuffer; uniforms: GPUBuffer[] } {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  const uniforms: GPUBuffer[] = [];
  for (const d of dispatches) {
    const uniform = device.createBuffer({ size: Math.max(16, Math.ceil(d.params.byteLength / 16) * 16), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(uniform, 0, d.params.buffer, d.params.byteOffset, d.params.byteLength);
    uniforms.push(uniform);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform } }];
    d.buffers.forEach((resource, i) => entries.push({ binding: i + 1, resource }));
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: d.pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(...d.workgroups);
  }
  pass.end();
  return { commands: encoder.finish(), uniforms };
}

/** A grid of `count` workgroups laid out within the per-dimension limit (the shader folds x and y back). */
export function workgroupGrid(device: GPUDevice, count: number): [number, number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.min(count, max);
  return [x, Math.ceil(count / x), 1];
}
