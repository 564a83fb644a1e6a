/** How a failed judge backend call is answered: 504 when the upstream was too slow, 502 otherwise. */
import {
  JudgeAbortedError,
  JudgeHttpError,
  JudgeMalformedResponseError,
  JudgeUnreachableError,
  JudgeVotesFailedError,
  judgeErrorIsTimeout,
} from '../src/connector/judge-errors.ts';
import { HttpError } from './http-error.ts';

export function httpErrorForBackendFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // The client went away and the judging was cancelled; nobody reads this answer, the log line does.
  if (error instanceof JudgeAbortedError || (error instanceof Error && error.name === 'AbortError')) {
    return new HttpError(499, 'client_closed_request', 'the client closed the connection before the judge answered');
  }
  if (judgeErrorIsTimeout(error)) return new HttpError(504, 'upstream_timeout', (error as Error).message);
  if (error instanceof JudgeVotesFailedError) return new HttpError(502, upstreamCode(error.errors[0]), error.message);
  if (error instanceof JudgeHttpError || error instanceof JudgeUnreachableError || error instanceof JudgeMalformedResponseError) {
    return new HttpError(502, upstreamCode(error), error.message);
  }
  return new HttpError(500, 'internal_error', `the judge failed: ${error instanceof Error ? error.name : 'unknown error'}`);
}

function upstreamCode(error: Error | undefined): string {
  if (error instanceof JudgeHttpError) return error.status === 429 ? 'upstream_rate_limited' : 'upstream_http_error';
  if (error instanceof JudgeUnreachableError) return 'upstream_unreachable';
  if (error instanceof JudgeMalformedResponseError) return 'upstream_malformed';
  return judgeErrorIsTimeout(error) ? 'upstream_timeout' : 'upstream_failed';
}
