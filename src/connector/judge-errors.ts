/**
 * Named errors of a remote judge call (issue 7). Messages name the endpoint (never its credentials) and
 * what went wrong, never a key or token: they end up in logs and on the page. `reason` is the same
 * without the endpoint, for a server that must not tell its clients where its upstream is.
 */
import { withoutCredentials } from './url-without-credentials.ts';

/** A failed judge call: `url` as it may be shown, `reason` what went wrong. */
abstract class JudgeCallError extends Error {
  readonly url: string;
  constructor(url: string, readonly reason: string) {
    const shown = withoutCredentials(url);
    super(`judge at ${shown} ${reason}`);
    this.url = shown;
  }
}

/** The judge answered with a non-2xx HTTP status. */
export class JudgeHttpError extends JudgeCallError {
  override name = 'JudgeHttpError';
  constructor(
    url: string,
    readonly status: number,
    detail: string,
    /** From a `Retry-After` header, when the judge sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(url, `answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** The judge did not answer within the time allowed for one call. */
export class JudgeTimeoutError extends JudgeCallError {
  override name = 'JudgeTimeoutError';
  constructor(url: string, readonly timeoutMs: number) {
    super(url, `did not answer within ${timeoutMs} ms`);
  }
}

/** The judge could not be reached at all (refused, reset, DNS, offline). */
export class JudgeUnreachableError extends JudgeCallError {
  override name = 'JudgeUnreachableError';
  constructor(url: string, cause: unknown) {
    super(url, `is unreachable: ${describeCause(cause, url)}`);
  }
}

/** The judge answered 2xx with a body that is not what the protocol says. */
export class JudgeMalformedResponseError extends JudgeCallError {
  override name = 'JudgeMalformedResponseError';
  constructor(url: string, detail: string) {
    super(url, `sent a malformed response: ${detail}`);
  }
}

/** The judge's answer was larger than a judge answer may be; reading stopped at the limit. */
export class JudgeResponseTooLargeError extends JudgeCallError {
  override name = 'JudgeResponseTooLargeError';
  constructor(url: string, readonly limitBytes: number) {
    super(url, `sent an answer larger than the limit of ${limitBytes} bytes; the vote failed`);
  }
}

/** Every one of the m vote calls failed; `errors` holds each call's own error. */
export class JudgeVotesFailedError extends JudgeCallError {
  override name = 'JudgeVotesFailedError';
  constructor(url: string, readonly errors: Error[]) {
    super(url, `failed on all ${errors.length} calls; first: ${errors[0] ? judgeErrorReason(errors[0]) : 'none'}`);
  }
}

/** The caller aborted the judge call (not a judge failure). */
export class JudgeAbortedError extends JudgeCallError {
  override name = 'JudgeAbortedError';
  constructor(url: string) {
    super(url, 'call was aborted');
  }
}

/** What went wrong, without the endpoint: a judge error's `reason`, else the error's name. */
export function judgeErrorReason(error: unknown): string {
  if (error instanceof JudgeCallError) return error.reason;
  return error instanceof Error ? `failed (${error.name})` : 'failed';
}

/** True when trying again later may succeed: network errors, timeouts, 5xx and 429. */
export function judgeErrorIsTransient(error: unknown): boolean {
  if (error instanceof JudgeUnreachableError || error instanceof JudgeTimeoutError) return true;
  if (error instanceof JudgeHttpError) return error.status === 429 || error.status >= 500;
  if (error instanceof JudgeVotesFailedError) return error.errors.some(judgeErrorIsTransient);
  return false;
}

/** True when the failure was the judge being too slow (every vote timed out, for m calls). */
export function judgeErrorIsTimeout(error: unknown): boolean {
  if (error instanceof JudgeTimeoutError) return true;
  if (error instanceof JudgeVotesFailedError) return error.errors.length > 0 && error.errors.every(judgeErrorIsTimeout);
  return false;
}

/** A network error's message and code; the URL the runtime may quote in it is shown without credentials. */
function describeCause(cause: unknown, url: string): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : '';
    const message = cause.message.split(url).join(withoutCredentials(url));
    return code ? `${message} (${code})` : message;
  }
  return String(cause);
}
