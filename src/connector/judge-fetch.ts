/**
 * One HTTP call to a judge with a time limit, turning every failure into a named error
 * (judge-errors.ts). Used by both the OpenAI-compatible backend and our judge server's client.
 */
import {
  JudgeAbortedError,
  JudgeHttpError,
  JudgeMalformedResponseError,
  JudgeResponseTooLargeError,
  JudgeTimeoutError,
  JudgeUnreachableError,
} from './judge-errors.ts';
import { scrubSecrets } from './scrub-secrets.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The largest judge answer read (a chat completion of a few thousand tokens is a few tens of kB). */
export const MAX_JUDGE_RESPONSE_BYTES = 4 << 20;

export interface JudgeFetchOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
  /** Secrets to blank out of any error text taken from the response (an upstream may echo a key). */
  secrets?: (string | undefined)[];
  /** Reading stops past this many bytes of answer (default `MAX_JUDGE_RESPONSE_BYTES`). */
  maxResponseBytes?: number;
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
    const limit = options.maxResponseBytes ?? MAX_JUDGE_RESPONSE_BYTES;
    let read: CappedText;
    try {
      read = await readCapped(response, limit);
    } catch (error) {
      throw failure(url, error, timedOut, options);
    }
    const { text } = read;
    if (!response.ok) {
      // An error answer's start says what went wrong; the rest of an oversized one is not needed.
      throw new JudgeHttpError(url, response.status, scrubSecrets(errorDetail(text), options.secrets ?? []), retryAfterMs(response.headers.get('retry-after')));
    }
    if (!read.complete) throw new JudgeResponseTooLargeError(url, limit);
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

interface CappedText {
  text: string;
  /** False when the answer went past the limit and `text` is only its start. */
  complete: boolean;
}

/** Reads the body as it streams in, stopping (and cancelling the rest) once it passes `limit` bytes. */
async function readCapped(response: Response, limit: number): Promise<CappedText> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit && response.ok) {
    await response.body?.cancel().catch(() => {});
    return { text: '', complete: false };
  }
  if (!response.body) return { text: '', complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - size));
      complete = false;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { text: new TextDecoder().decode(bytes), complete };
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

/** `Retry-After` as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
