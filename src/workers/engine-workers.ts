/**
 * Browser only: starts engine workers (every one runs engine.worker.ts) and turns a worker that cannot start
 * (its script fails to load or to run, or its start never finishes) into an error that says so, never a wait
 * without end.
 */
import { engineWorkerName, type EngineRole } from './engine-role.ts';

/** The longest a worker's start (its script, the tfjs backend, the wasm binaries) may take. */
export const START_LIMIT_MS = 120_000;

export function startEngineWorker(role: EngineRole, index?: number): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: engineWorkerName(role, index) });
}

/** The result of `call` (a start the worker answers), or why the worker failed before it answered. */
export function whileStarting<T>(worker: Worker, role: EngineRole, call: Promise<T>, limitMs = START_LIMIT_MS): Promise<T> {
  let stopWatching = () => {};
  const failed = new Promise<never>((_, reject) => {
    const onError = (event: Event) => {
      // An uncaught exception arrives as an ErrorEvent with its message; a script that failed to load, as a bare Event.
      const message = (event as Partial<ErrorEvent>).message;
      const why = typeof message === 'string' && message ? message : 'its script could not be loaded';
      reject(new Error(`The ${role} worker failed to start: ${why}`));
    };
    const timer = setTimeout(() => reject(new Error(`The ${role} worker did not start within ${limitMs / 1000} s.`)), limitMs);
    worker.addEventListener('error', onError);
    stopWatching = () => {
      clearTimeout(timer);
      worker.removeEventListener('error', onError);
    };
  });
  return Promise.race([call, failed]).finally(stopWatching);
}
