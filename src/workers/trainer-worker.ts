/** The trainer engine as its worker exposes it: its kernels yield to a decoding policy where the page asks. */
import { TrainerEngine } from './trainer-engine.ts';
import { yieldToServing } from './serving-gate.ts';

export class TrainerWorker extends TrainerEngine {
  /** This worker's kernels yield to decoding (serving-gate.ts); after `init`. */
  async useServingGate(buffer: SharedArrayBuffer): Promise<void> {
    yieldToServing(buffer);
  }
}
