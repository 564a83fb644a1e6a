/**
 * Is the configured judge there? (issue 7: health shown in the page). The built-in judge always is; our
 * server answers `GET /healthz`; an OpenAI-compatible endpoint answers `GET {baseUrl}/models`.
 */
import type { JudgeConfig } from './judge-config.ts';
import { judgeErrorIsTransient } from './judge-errors.ts';
import { fetchJudgeJson, type FetchLike } from './judge-fetch.ts';
import { judgeServerBackend } from './judge-server-client.ts';
import { withoutCredentials } from './url-without-credentials.ts';

export type JudgeHealthReport = { ok: true; backend: string } | { ok: false; backend: string; reason: string; transient: boolean };

export async function checkJudgeHealth(
  config: JudgeConfig,
  options: { timeoutMs?: number; fetch?: FetchLike; signal?: AbortSignal } = {},
): Promise<JudgeHealthReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  switch (config.kind) {
    case 'builtin':
      return { ok: true, backend: 'builtin' };
    case 'server': {
      const backend = `server:${withoutCredentials(config.url)}`;
      try {
        const health = await judgeServerBackend({ url: config.url, token: config.token, timeoutMs, fetch: options.fetch }).health({ signal: options.signal });
        return { ok: true, backend: `${backend} (${health.backend})` };
      } catch (error) {
        return { ok: false, backend, reason: (error as Error).message, transient: judgeErrorIsTransient(error) };
      }
    }
    case 'openai': {
      const backend = `openai:${config.model}`;
      const url = `${config.baseUrl.replace(/\/+$/, '')}/models`;
      const headers: Record<string, string> = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
      try {
        await fetchJudgeJson(url, { method: 'GET', headers }, { timeoutMs, fetch: options.fetch, signal: options.signal, secrets: [config.apiKey] });
        return { ok: true, backend };
      } catch (error) {
        return { ok: false, backend, reason: (error as Error).message, transient: judgeErrorIsTransient(error) };
      }
    }
  }
}
