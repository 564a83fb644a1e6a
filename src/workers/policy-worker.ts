/** Comlink glue: the policy engine in its own worker (serving never waits for judging or training). */
import * as Comlink from 'comlink';
import './browser-backends.ts';
import * as tf from '@tensorflow/tfjs';
import { PolicyEngine } from './policy-engine.ts';

class PolicyWorker extends PolicyEngine {
  /** Destroys this worker's GPU device, as a driver reset would (tests of the recovery path). */
  async destroyGpuDevice(): Promise<boolean> {
    const device = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device : undefined;
    device?.destroy();
    return !!device;
  }
}

Comlink.expose(new PolicyWorker());
