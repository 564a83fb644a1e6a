/**
 * Browser only: the three engines in their own module workers, wrapped with comlink so the online loop
 * talks to them exactly as it talks to plain engine objects in Node. A worker that cannot start fails `init`.
 */
import * as Comlink from 'comlink';
import type { JudgeConfig } from '../connector/judge-config.ts';
import { startEngineWorker, whileStarting } from './engine-workers.ts';
import type { LoopEngines } from './online-loop.ts';
import { servingGateBuffer, setServingFirst } from './serving-gate.ts';
import type { PolicyEngineApi, SignalEngineApi, TrainerEngineApi } from './protocol.ts';

export interface WorkerEngines extends LoopEngines {
  /** Whether the background workers yield to decoding here (few cores, shared memory; serving-gate.ts). */
  readonly servingGated: boolean;
  setJudgeConfig(config: JudgeConfig): Promise<void>;
  /** Destroys the policy worker's GPU device, as a driver reset would (tests of the recovery path). */
  destroyPolicyGpuDevice(): Promise<boolean>;
  terminate(): void;
}

/** A worker that takes part in the serving gate (serving-gate.ts). */
interface Gated {
  useServingGate(buffer: SharedArrayBuffer): Promise<void>;
}

/** `servingGate: false` leaves the background ungated on any machine (benchmarks' controls). */
export function createWorkerEngines(options: { servingGate?: boolean } = {}): WorkerEngines {
  // Serving first on few cores: the policy marks its decoding, the background workers' kernels yield to it.
  const gate = options.servingGate === false ? null : servingGateBuffer();
  const gated = async <T>(started: Promise<T>, worker: Gated): Promise<T> => {
    const choice = await started;
    if (gate) await worker.useServingGate(gate);
    return choice;
  };
  const workers = { policy: startEngineWorker('policy'), signal: startEngineWorker('signal'), trainer: startEngineWorker('trainer') };
  const policy = Comlink.wrap<Required<PolicyEngineApi> & Gated & { destroyGpuDevice(): Promise<boolean> }>(workers.policy);
  const signal = Comlink.wrap<Required<SignalEngineApi> & Gated & { setJudgeConfig(config: JudgeConfig): Promise<void> }>(workers.signal);
  const trainer = Comlink.wrap<Required<TrainerEngineApi> & Gated>(workers.trainer);
  return {
    policy: {
      init: (b) => gated(whileStarting(workers.policy, 'policy', policy.init(b)), policy),
      load: (c, v) => policy.load(c, v),
      loadHf: (l, v) => policy.loadHf(l, v),
      // Callbacks cross the worker boundary as comlink proxies.
      reply: (request, onToken) => policy.reply(request, onToken ? Comlink.proxy(onToken) : undefined),
      publish: (u) => policy.publish(u),
      info: () => policy.info(),
    },
    signal: {
      init: (b) => gated(whileStarting(workers.signal, 'signal', signal.init(b)), signal),
      load: (i, s) => signal.load(i, s),
      loadHf: (l) => signal.loadHf(l),
      publish: (u) => signal.publish(u),
      process: (r, s) => signal.process(r, s),
      proximal: (r, s) => signal.proximal(r, s),
      drift: (samples, s) => signal.drift(samples, s),
    },
    trainer: {
      init: (b) => gated(whileStarting(workers.trainer, 'trainer', trainer.init(b)), trainer),
      load: (i, s, v, o) => trainer.load(i, s, v, o),
      loadHf: (l, lora, s, o) => trainer.loadHf(l, lora, s, o),
      proximal: (samples, s) => trainer.proximal(samples, s),
      update: (samples, s, v) => trainer.update(samples, s, v),
    },
    servingFirst: (on) => {
      if (gate) setServingFirst(gate, on);
    },
    servingGated: gate !== null,
    setJudgeConfig: (config) => signal.setJudgeConfig(config),
    destroyPolicyGpuDevice: () => policy.destroyGpuDevice(),
    terminate: () => Object.values(workers).forEach((w) => w.terminate()),
  };
}
