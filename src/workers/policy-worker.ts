/** The policy engine as its worker exposes it (serving never waits for judging or training). */
import * as tf from '@tensorflow/tfjs';
import { PolicyEngine } from './policy-engine.ts';

export class PolicyWorker extends PolicyEngine {
  /** Destroys this worker's GPU device, as a driver reset would (tests of the recovery path). */
  async destroyGpuDevice(): Promise<boolean> {
    const device = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device : undefined;
    device?.destroy();
    return !!device;
  }
}
