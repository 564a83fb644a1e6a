/**
 * A worker that cannot start becomes an error that says why, never a wait without end (issue 18): the
 * events a browser sends (a bare `error` Event for a script that failed to load, one with a message for an
 * uncaught exception) are dispatched here on a plain EventTarget standing where the Worker is.
 */
import { describe, expect, it } from 'vitest';
import { whileStarting } from './engine-workers.ts';

const never = new Promise<never>(() => {});

function fakeWorker(): Worker & { listeners: () => number } {
  const target = new EventTarget();
  let count = 0;
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  return Object.assign(target, {
    addEventListener: (...a: Parameters<EventTarget['addEventListener']>) => (count++, add(...a)),
    removeEventListener: (...a: Parameters<EventTarget['removeEventListener']>) => (count--, remove(...a)),
    listeners: () => count,
  }) as unknown as Worker & { listeners: () => number };
}

function errorWithMessage(message: string): Event {
  return Object.assign(new Event('error'), { message });
}

describe('whileStarting', () => {
  it('passes the start through and stops watching the worker', async () => {
    const worker = fakeWorker();
    const value = { backend: 'wasm', reason: String(Math.random()) };
    await expect(whileStarting(worker, 'policy', Promise.resolve(value), 10_000)).resolves.toBe(value);
    expect(worker.listeners()).toBe(0);
  });

  it('passes a failed start through with its own error', async () => {
    const worker = fakeWorker();
    await expect(whileStarting(worker, 'trainer', Promise.reject(new Error('no adapter')), 10_000)).rejects.toThrow('no adapter');
    expect(worker.listeners()).toBe(0);
  });

  it('a script that failed to load', async () => {
    const worker = fakeWorker();
    const start = whileStarting(worker, 'signal', never, 10_000);
    worker.dispatchEvent(new Event('error'));
    await expect(start).rejects.toThrow(/^The signal worker failed to start: its script could not be loaded$/);
    expect(worker.listeners()).toBe(0);
  });

  it('an exception thrown while it starts, with its message', async () => {
    const worker = fakeWorker();
    const message = `Uncaught ReferenceError: ${String.fromCharCode(97 + Math.floor(Math.random() * 26))} is not defined`;
    const start = whileStarting(worker, 'experiment', never, 10_000);
    worker.dispatchEvent(errorWithMessage(message));
    await expect(start).rejects.toThrow(`The experiment worker failed to start: ${message}`);
  });

  it('a start that never finishes ends at the limit', async () => {
    const worker = fakeWorker();
    const t0 = Date.now();
    await expect(whileStarting(worker, 'policy', never, 60)).rejects.toThrow('The policy worker did not start within 0.06 s.');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(worker.listeners()).toBe(0);
  });
});
