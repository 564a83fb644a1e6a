/**
 * How a failed judge backend call is answered: 504 when the upstream was too slow, 502 otherwise. The
 * message says what went wrong (the error's `reason`), never where the upstream is: its address stays
 * inside the server.
 */
import {
  JudgeAbortedError,
  JudgeHttpError,
  JudgeMalformedResponseError,
  JudgeResponseTooLargeError,
  JudgeUnreachableError,
  JudgeVotesFailedError,
  judgeErrorIsTimeout,
  judgeErrorReason,
} from '../src/connector/judge-errors.ts';
import { HttpError } from './http-error.ts';

export function httpErrorForBackendFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // The client went away and the judging was cancelled; nobody reads this answer, the log line does.
  if (error instanceof JudgeAbortedError || (error instanceof Error && error.name === 'AbortError')) {
    return new HttpError(499, 'client_closed_request', 'the client closed the connection before the judge answered');
  }
  const message = `the upstream judge ${judgeErrorReason(error)}`;
  if (judgeErrorIsTimeout(error)) return new HttpError(504, 'upstream_timeout', message);
  if (error instanceof JudgeVotesFailedError) return new HttpError(502, upstreamCode(error.errors[0]), message);
  if (isUpstreamFailure(error)) return new HttpError(502, upstreamCode(error), message);
  return new HttpError(500, 'internal_error', `the judge failed: ${error instanceof Error ? error.name : 'unknown error'}`);
}

function isUpstreamFailure(error: unknown): error is Error {
  return error instanceof JudgeHttpError || error instanceof JudgeUnreachableError || error instanceof JudgeMalformedResponseError ||
    error instanceof JudgeResponseTooLargeError;
}

function upstreamCode(error: Error | undefined): string {
  if (error instanceof JudgeHttpError) return error.status === 429 ? 'upstream_rate_limited' : 'upstream_http_error';
  if (error instanceof JudgeUnreachableError) return 'upstream_unreachable';
  if (error instanceof JudgeMalformedResponseError) return 'upstream_malformed';
  if (error instanceof JudgeResponseTooLargeError) return 'upstream_too_large';
  return judgeErrorIsTimeout(error) ? 'upstream_timeout' : 'upstream_failed';
}
