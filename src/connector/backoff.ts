/**
 * Bounded retries with exponential backoff and jitter for judge calls (issue 7): a judge that is
 * briefly down, overloaded (5xx) or rate-limiting (429) gets a few more tries, then the error stands.
 */
import type { JudgeBackend } from '../rl/judge/types.ts';
import { JudgeAbortedError, JudgeHttpError, judgeErrorIsTransient } from './judge-errors.ts';

export interface BackoffPolicy {
  /** Tries after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform [0, 1) source for the jitter; Math.random by default. */
  random?: () => number;
}

export const defaultBackoff: BackoffPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * Delay before retry number `attempt` (0-based): equal jitter on base·2^attempt, at least what the
 * judge asked for in Retry-After, never more than maxDelayMs.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, error?: unknown): number {
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = ceiling / 2 + (ceiling / 2) * random();
  const asked = error instanceof JudgeHttpError ? error.retryAfterMs ?? 0 : 0;
  return Math.min(policy.maxDelayMs, Math.max(jittered, asked));
}

/** Runs `call`, retrying transient judge errors per `policy`; `onRetry` sees each wait. */
export async function withBackoff<T>(
  call: () => Promise<T>,
  policy: BackoffPolicy,
  options: { signal?: AbortSignal; onRetry?: (attempt: number, delayMs: number, error: unknown) => void } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.retries || !judgeErrorIsTransient(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(policy, attempt, error);
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(new JudgeAbortedError('(retry wait)'));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** A backend whose `complete` is retried per `policy` when it fails transiently (all m votes failed). */
export function retryingBackend(
  backend: JudgeBackend,
  policy: BackoffPolicy,
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void,
): JudgeBackend {
  return {
    name: backend.name,
    complete: (request, m, options = {}) => withBackoff(() => backend.complete(request, m, options), policy, { signal: options.signal, onRetry }),
  };
}
