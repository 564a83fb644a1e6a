/**
 * Browser only: the three engines in their own module workers, wrapped with comlink so the online loop
 * talks to them exactly as it talks to plain engine objects in Node.
 */
import * as Comlink from 'comlink';
import type { JudgeConfig } from '../connector/judge-config.ts';
import type { LoopEngines } from './online-loop.ts';
import type { PolicyEngineApi, SignalEngineApi, TrainerEngineApi } from './protocol.ts';

export interface WorkerEngines extends LoopEngines {
  setJudgeConfig(config: JudgeConfig): Promise<void>;
  /** Destroys the policy worker's GPU device, as a driver reset would (tests of the recovery path). */
  destroyPolicyGpuDevice(): Promise<boolean>;
  terminate(): void;
}

export function createWorkerEngines(): WorkerEngines {
  const workers = [
    new Worker(new URL('./policy.worker.ts', import.meta.url), { type: 'module', name: 'nextstate-policy' }),
    new Worker(new URL('./signal.worker.ts', import.meta.url), { type: 'module', name: 'nextstate-signal' }),
    new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'nextstate-trainer' }),
  ];
  const policy = Comlink.wrap<PolicyEngineApi & { destroyGpuDevice(): Promise<boolean> }>(workers[0]);
  const signal = Comlink.wrap<SignalEngineApi & { setJudgeConfig(config: JudgeConfig): Promise<void> }>(workers[1]);
  const trainer = Comlink.wrap<TrainerEngineApi>(workers[2]);
  return {
    policy: {
      init: (b) => policy.init(b),
      load: (c, v) => policy.load(c, v),
      // Callbacks cross the worker boundary as comlink proxies.
      reply: (request, onToken) => policy.reply(request, onToken ? Comlink.proxy(onToken) : undefined),
      publish: (u) => policy.publish(u),
      info: () => policy.info(),
    },
    signal: {
      init: (b) => signal.init(b),
      load: (i, s) => signal.load(i, s),
      publish: (u) => signal.publish(u),
      process: (r, s) => signal.process(r, s),
      proximal: (r, s) => signal.proximal(r, s),
    },
    trainer: {
      init: (b) => trainer.init(b),
      load: (i, s, v, o) => trainer.load(i, s, v, o),
      proximal: (samples, s) => trainer.proximal(samples, s),
      update: (samples, s, v) => trainer.update(samples, s, v),
    },
    setJudgeConfig: (config) => signal.setJudgeConfig(config),
    destroyPolicyGpuDevice: () => policy.destroyGpuDevice(),
    terminate: () => workers.forEach((w) => w.terminate()),
  };
}
