/**
 * One HTTP call to a judge with a time limit, turning every failure into a named error
 * (judge-errors.ts). Used by both the OpenAI-compatible backend and our judge server's client.
 */
import {
  JudgeAbortedError,
  JudgeHttpError,
  JudgeMalformedResponseError,
  JudgeTimeoutError,
  JudgeUnreachableError,
} from './judge-errors.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface JudgeFetchOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
  /** Secrets to blank out of any error text taken from the response (an upstream may echo a key). */
  secrets?: (string | undefined)[];
}

/** Sends the request and returns the parsed JSON body of a 2xx answer. */
export async function fetchJudgeJson(url: string, init: RequestInit, options: JudgeFetchOptions): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (options.signal?.aborted) throw new JudgeAbortedError(url);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onCallerAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: controller.signal });
    } catch (error) {
      throw failure(url, error, timedOut, options);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw failure(url, error, timedOut, options);
    }
    if (!response.ok) {
      throw new JudgeHttpError(url, response.status, scrub(errorDetail(text), options.secrets), retryAfterMs(response.headers.get('retry-after')));
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new JudgeMalformedResponseError(url, `body is not JSON (${text.length} chars)`);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function failure(url: string, error: unknown, timedOut: boolean, options: JudgeFetchOptions): Error {
  if (timedOut) return new JudgeTimeoutError(url, options.timeoutMs);
  if (options.signal?.aborted) return new JudgeAbortedError(url);
  return new JudgeUnreachableError(url, error);
}

/** The `message` of a JSON error body (`{error: {message}}` or `{error: "..."}`), else the text's start. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === 'string' ? body.error : body.error?.message ?? body.message;
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300);
}

function scrub(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
