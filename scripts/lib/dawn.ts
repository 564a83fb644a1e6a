/**
 * WebGPU in Node without a browser: Dawn for Node (npm `webgpu`, see shared WEBGPU-HERE.md) installed as
 * `navigator.gpu` plus the WebGPU globals (GPUBufferUsage, …) that tfjs's `webgpu` backend and the kernels use.
 * `DAWN_NODE=/path/to/dawn.node` loads that binary directly (the device bundle carries one beside it, without
 * node_modules); otherwise the `webgpu` package's own. Dawn needs a Vulkan driver: on a machine without a GPU,
 * `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`. Call `uninstallDawn()` at the end, or Node
 * does not exit.
 */
import { createRequire } from 'node:module';

interface DawnModule {
  create: (options: string[]) => GPU;
  globals: Record<string, unknown>;
}

async function loadDawn(): Promise<DawnModule> {
  const path = process.env.DAWN_NODE;
  if (path) return createRequire(import.meta.url)(path) as DawnModule;
  const pkg = 'webgpu'; // a variable, so that a bundler leaves the package (and its binary) out
  return (await import(pkg)) as DawnModule;
}

/** Installs Dawn as `navigator.gpu`; `DAWN_OPTIONS` (comma list, e.g. `backend=vulkan`) goes to Dawn's create(). */
export async function installDawn(): Promise<GPU> {
  const { create, globals } = await loadDawn();
  Object.assign(globalThis, globals);
  const gpu = create((process.env.DAWN_OPTIONS ?? '').split(',').filter(Boolean));
  const nav = (globalThis as { navigator?: object }).navigator;
  // Node 21+ has a read-only global navigator: define the property on it instead of replacing it
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  else (globalThis as { navigator?: object }).navigator = { gpu };
  return gpu;
}

/** Drops `navigator.gpu` (Dawn's instance keeps Node alive while it is reachable). */
export function uninstallDawn(): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav) delete nav.gpu;
}
