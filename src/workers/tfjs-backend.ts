/**
 * Picks and starts the tfjs backend in this context (a worker, or Node). WebGPU unless the only adapter
 * is a fallback (software) one, where wasm is faster (shared/WEBGPU-HERE.md); the reason is reported.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backend } from '../rl/settings.ts';
import type { BackendChoice } from './protocol.ts';

/** Where the wasm binaries are served from (a page's bundler gives URLs; Node finds them itself). */
let wasmPaths: Record<string, string> | string | undefined;

export function setWasmBinaries(paths: Record<string, string> | string): void {
  wasmPaths = paths;
}

async function startWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPaths) wasm.setWasmPaths(wasmPaths as never);
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to start');
}

async function webgpuAdapter(): Promise<GPUAdapter | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

/** Set when the GPU device is lost (driver reset, tab in the background too long, a hung shader). */
export let deviceLost: string | null = null;

async function startWebgpu(): Promise<void> {
  // Our registration also asks the device for `subgroups`, which the kernels' fastest path uses.
  const { registerWebGPUBackend } = await import('../kernels/gpu/register-backend.ts');
  registerWebGPUBackend();
  if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend failed to start');
  deviceLost = null;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    deviceLost = `${info.reason}: ${info.message}`;
    console.warn(`[nextstate] GPU device lost (${deviceLost})`);
  });
}

/** Start `requested` ('auto' decides), wait until ready, and say which one runs and why. */
export async function initBackend(requested: Backend): Promise<BackendChoice> {
  let choice: BackendChoice;
  if (requested === 'auto') {
    const adapter = await webgpuAdapter();
    const fallback = (adapter?.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? false;
    if (adapter && !fallback) choice = { backend: 'webgpu', reason: `WebGPU adapter ${adapter.info.vendor || 'found'} (${adapter.info.architecture || 'hardware'})` };
    else if (adapter) choice = { backend: 'wasm', reason: `the only WebGPU adapter is a software fallback (${adapter.info.architecture || adapter.info.vendor}); wasm is faster on the CPU` };
    else choice = { backend: 'wasm', reason: 'no WebGPU adapter in this browser' };
  } else {
    choice = { backend: requested, reason: 'chosen in settings' };
  }
  if (tf.getBackend() === choice.backend) return choice;
  if (choice.backend === 'webgpu') await startWebgpu();
  else if (choice.backend === 'wasm') await startWasm();
  else if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend failed to start');
  await tf.ready();
  return choice;
}
