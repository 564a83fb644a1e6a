/**
 * The browser's client for our judge server (issue 7): a JudgeBackend whose m texts come from
 * `POST /v1/judge`, with a time limit per try, bounded retries with backoff and jitter on network
 * errors, 5xx and 429, and a health check on `GET /healthz`. The token goes in a header, never a URL.
 */
import type { JudgeBackend, JudgeSignal } from '../rl/judge/types.ts';
import { defaultBackoff, withBackoff, type BackoffPolicy } from './backoff.ts';
import { JudgeMalformedResponseError } from './judge-errors.ts';
import { fetchJudgeJson, type FetchLike } from './judge-fetch.ts';
import { HEALTH_PATH, JUDGE_PATH, judgeWireRequest, type JudgeHealth, type JudgeWireResponse } from './judge-wire.ts';
import { withoutCredentials } from './url-without-credentials.ts';

export interface JudgeServerClientOptions {
  /** The server's root, e.g. `http://127.0.0.1:8787`. */
  url: string;
  token?: string;
  /** Time allowed for each try. */
  timeoutMs: number;
  backoff?: BackoffPolicy;
  fetch?: FetchLike;
  /** Told about each retry (for the page's "judge unreachable, retrying" line). */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export interface JudgeServerBackend extends JudgeBackend {
  /** `GET /healthz`; rejects with a named judge error when the server is not healthy or not there. */
  health(options?: { signal?: AbortSignal }): Promise<JudgeHealth>;
}

export function judgeServerBackend(options: JudgeServerClientOptions): JudgeServerBackend {
  const root = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const fetchOptions = (signal?: AbortSignal) => ({ timeoutMs: options.timeoutMs, signal, fetch: options.fetch, secrets: [options.token] });
  const policy = options.backoff ?? defaultBackoff;

  return {
    // A name is shown and stored with judge records: never with the credentials a pasted URL may carry.
    name: `server:${withoutCredentials(root)}`,
    async complete(request, m, callOptions = {}) {
      const { signal: which, ...turn } = request;
      const body = JSON.stringify(judgeWireRequest(turn, [which], m));
      const url = root + JUDGE_PATH;
      const json = await withBackoff(
        () => fetchJudgeJson(url, { method: 'POST', headers, body }, fetchOptions(callOptions.signal)),
        policy,
        { signal: callOptions.signal, onRetry: options.onRetry },
      );
      return judgeTexts(url, json, which, m);
    },
    async health(callOptions = {}) {
      const url = root + HEALTH_PATH;
      const json = (await fetchJudgeJson(url, { method: 'GET' }, fetchOptions(callOptions.signal))) as Partial<JudgeHealth> | null;
      if (json?.ok !== true || typeof json.backend !== 'string') throw new JudgeMalformedResponseError(url, 'health answer lacks `ok: true` and `backend`');
      return json as JudgeHealth;
    },
  };
}

function judgeTexts(url: string, json: unknown, signal: JudgeSignal, m: number): string[] {
  const texts = (json as Partial<JudgeWireResponse> | null)?.texts?.[signal];
  if (!Array.isArray(texts) || texts.length !== m || texts.some((t) => typeof t !== 'string')) {
    throw new JudgeMalformedResponseError(url, `\`texts.${signal}\` is not an array of ${m} strings`);
  }
  return texts;
}
