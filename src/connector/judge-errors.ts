/**
 * Named errors of a remote judge call (issue 7). Messages name the endpoint and what went wrong,
 * never a key or token: they end up in logs and on the page.
 */

/** The judge answered with a non-2xx HTTP status. */
export class JudgeHttpError extends Error {
  override name = 'JudgeHttpError';
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
    /** From a `Retry-After` header, when the judge sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`judge at ${url} answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** The judge did not answer within the time allowed for one call. */
export class JudgeTimeoutError extends Error {
  override name = 'JudgeTimeoutError';
  constructor(readonly url: string, readonly timeoutMs: number) {
    super(`judge at ${url} did not answer within ${timeoutMs} ms`);
  }
}

/** The judge could not be reached at all (refused, reset, DNS, offline). */
export class JudgeUnreachableError extends Error {
  override name = 'JudgeUnreachableError';
  constructor(readonly url: string, cause: unknown) {
    super(`judge at ${url} is unreachable: ${describeCause(cause)}`);
  }
}

/** The judge answered 2xx with a body that is not what the protocol says. */
export class JudgeMalformedResponseError extends Error {
  override name = 'JudgeMalformedResponseError';
  constructor(readonly url: string, detail: string) {
    super(`judge at ${url} sent a malformed response: ${detail}`);
  }
}

/** Every one of the m vote calls failed; `errors` holds each call's own error. */
export class JudgeVotesFailedError extends Error {
  override name = 'JudgeVotesFailedError';
  constructor(readonly url: string, readonly errors: Error[]) {
    super(`all ${errors.length} judge calls to ${url} failed; first: ${errors[0]?.message ?? 'none'}`);
  }
}

/** The caller aborted the judge call (not a judge failure). */
export class JudgeAbortedError extends Error {
  override name = 'JudgeAbortedError';
  constructor(readonly url: string) {
    super(`judge call to ${url} was aborted`);
  }
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

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : '';
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}
