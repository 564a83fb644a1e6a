/**
 * The judge settings (issue 7): the built-in judge, our judge server, or any OpenAI-compatible endpoint.
 * Keys and tokens live only in this browser: `redactJudgeConfig` is what may be exported, logged or
 * shown, and nothing here ever puts a secret in a URL.
 */
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import type { JudgeBackend } from '../rl/judge/types.ts';
import { defaultBackoff, retryingBackend, type BackoffPolicy } from './backoff.ts';
import type { FetchLike } from './judge-fetch.ts';
import { openAICompatibleJudge } from './openai-judge.ts';
import { judgeServerBackend } from './judge-server-client.ts';
import { withoutCredentials } from './url-without-credentials.ts';

export type JudgeConfig =
  | { kind: 'builtin' }
  | { kind: 'server'; url: string; token?: string }
  | { kind: 'openai'; baseUrl: string; model: string; apiKey?: string };

/** A judge config without its secrets, plus whether one was set. */
export type RedactedJudgeConfig =
  | { kind: 'builtin' }
  | { kind: 'server'; url: string; hasToken: boolean }
  | { kind: 'openai'; baseUrl: string; model: string; hasApiKey: boolean };

export const DEFAULT_JUDGE_TIMEOUT_MS = 30_000;

export function redactJudgeConfig(config: JudgeConfig): RedactedJudgeConfig {
  switch (config.kind) {
    case 'builtin':
      return { kind: 'builtin' };
    case 'server':
      return { kind: 'server', url: withoutCredentials(config.url), hasToken: !!config.token };
    case 'openai':
      return { kind: 'openai', baseUrl: withoutCredentials(config.baseUrl), model: config.model, hasApiKey: !!config.apiKey };
  }
}

export interface CreateJudgeOptions {
  /** The built-in judge (default: the one in src/rl/judge/builtin). */
  builtin?: JudgeBackend;
  timeoutMs?: number;
  backoff?: BackoffPolicy;
  fetch?: FetchLike;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export function createJudgeBackend(config: JudgeConfig, options: CreateJudgeOptions = {}): JudgeBackend {
  const timeoutMs = options.timeoutMs ?? DEFAULT_JUDGE_TIMEOUT_MS;
  switch (config.kind) {
    case 'builtin':
      return options.builtin ?? builtinJudgeBackend;
    case 'server':
      return judgeServerBackend({ url: config.url, token: config.token, timeoutMs, backoff: options.backoff, fetch: options.fetch, onRetry: options.onRetry });
    case 'openai': {
      // Single failed votes are failed votes; when all m fail transiently (429, 5xx, down), try again later.
      const judge = openAICompatibleJudge({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey, timeoutMs, fetch: options.fetch });
      return retryingBackend(judge, options.backoff ?? defaultBackoff, options.onRetry);
    }
  }
}
