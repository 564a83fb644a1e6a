/**
 * The three engines of the online loop in Node worker threads (engine-thread.ts), wrapped with comlink so
 * the loop talks to them exactly as it does to the page's web workers (src/workers/page-engines.ts).
 */
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { LoopEngines } from '../src/workers/online-loop.ts';
import type { PolicyEngineApi, SignalEngineApi, TrainerEngineApi } from '../src/workers/protocol.ts';
import type { EngineName } from './engine-thread.ts';

export interface ThreadEngines extends LoopEngines {
  terminate(): Promise<void>;
}

export async function createThreadEngines(): Promise<ThreadEngines> {
  const start = (engine: EngineName) =>
    new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { engine, entry: new URL('./engine-thread.ts', import.meta.url).href } });
  const threads = [start('policy'), start('signal'), start('trainer')];
  const policy = Comlink.wrap<Required<PolicyEngineApi>>(nodeEndpoint(threads[0]));
  const signal = Comlink.wrap<Required<SignalEngineApi>>(nodeEndpoint(threads[1]));
  const trainer = Comlink.wrap<Required<TrainerEngineApi>>(nodeEndpoint(threads[2]));
  const engines: ThreadEngines = {
    policy: {
      init: (b) => policy.init(b),
      load: (c, v) => policy.load(c, v),
      loadHf: (location, v) => policy.loadHf(location, v),
      // Callbacks cross the thread boundary as comlink proxies.
      reply: (request, onToken) => policy.reply(request, onToken ? Comlink.proxy(onToken) : undefined),
      publish: (u) => policy.publish(u),
      info: () => policy.info(),
    },
    signal: {
      init: (b) => signal.init(b),
      load: (i, s) => signal.load(i, s),
      loadHf: (location) => signal.loadHf(location),
      publish: (u) => signal.publish(u),
      process: (r, s) => signal.process(r, s),
      proximal: (r, s) => signal.proximal(r, s),
      drift: (samples, s) => signal.drift(samples, s),
    },
    trainer: {
      init: (b) => trainer.init(b),
      load: (i, s, v, o) => trainer.load(i, s, v, o),
      loadHf: (location, lora, serving, optimizer) => trainer.loadHf(location, lora, serving, optimizer),
      update: (samples, s, v) => trainer.update(samples, s, v),
      proximal: (samples, s) => trainer.proximal(samples, s),
    },
    terminate: async () => void (await Promise.all(threads.map((t) => t.terminate()))),
  };
  await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
  return engines;
}
