/** The server's judge backend: an upstream OpenAI-compatible endpoint when configured, else the built-in judge. */
import type { JudgeBackend } from '../src/rl/judge/types.ts';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { openAICompatibleJudge } from '../src/connector/openai-judge.ts';
import { credentialsInUrl, withoutCredentials } from '../src/connector/url-without-credentials.ts';
import type { JudgeServerSettings, UpstreamSettings } from './flags.ts';

export function judgeBackendFor(settings: Pick<JudgeServerSettings, 'upstream' | 'timeoutMs'>): JudgeBackend {
  if (!settings.upstream) return builtinJudgeBackend;
  return openAICompatibleJudge({ ...settings.upstream, timeoutMs: settings.timeoutMs });
}

/**
 * What of the upstream's settings no client and no log line may see: its key, the credentials in its URL,
 * and its address (the URL, origin and host:port of a machine inside the lab's network).
 */
export function upstreamSecrets(upstream: UpstreamSettings | undefined): string[] {
  if (!upstream) return [];
  const secrets = [...credentialsInUrl(upstream.baseUrl)];
  if (upstream.apiKey) secrets.push(upstream.apiKey);
  try {
    const url = new URL(withoutCredentials(upstream.baseUrl));
    secrets.push(url.toString().replace(/\/$/, ''), url.origin);
    if (url.port) secrets.push(url.host);
  } catch {
    // not a URL: nothing more to hide, and the backend will say it cannot reach it
  }
  return secrets;
}
