/** The policy engine as its worker exposes it (serving never waits for judging or training). */
import * as tf from '@tensorflow/tfjs';
import { PolicyEngine } from './policy-engine.ts';
import { decodingMarker } from './serving-gate.ts';

export class PolicyWorker extends PolicyEngine {
  /** Marks this worker's decoding in the page's serving gate. */
  async useServingGate(buffer: SharedArrayBuffer): Promise<void> {
    this.onDecoding = decodingMarker(buffer);
  }

  /** Destroys this worker's GPU device, as a driver reset would (tests of the recovery path). */
  async destroyGpuDevice(): Promise<boolean> {
    const device = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device : undefined;
    device?.destroy();
    return !!device;
  }
}
