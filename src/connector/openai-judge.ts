/**
 * A judge backend on any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp's server, Ollama,
 * a hosted API): the prompts of METHOD §2–3, m votes as m parallel calls at temperature 0.6 (issue 7).
 * Uses fetch only, so it runs in the browser and in the judge server alike.
 */
import { judgePrompt } from '../rl/judge/prompts.ts';
import type { JudgeBackend, JudgeRequest } from '../rl/judge/types.ts';
import { JudgeAbortedError, JudgeMalformedResponseError, JudgeVotesFailedError } from './judge-errors.ts';
import { fetchJudgeJson, type FetchLike } from './judge-fetch.ts';
import { scrubSecrets } from './scrub-secrets.ts';
import { credentialsInUrl } from './url-without-credentials.ts';

export interface OpenAIJudgeOptions {
  /** The API root, e.g. `http://127.0.0.1:8000/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Time allowed for each of the m calls. */
  timeoutMs: number;
  /** Sampling temperature of the votes (METHOD §2: 0.6). */
  temperature?: number;
  /** Cap on each judge answer's length. */
  maxTokens?: number;
  fetch?: FetchLike;
}

/** The text a failed call contributes: no boxed score, so it parses as a failed vote (null). */
export function failedVoteText(error: Error): string {
  return `[judge call failed: ${error.name}]`;
}

/**
 * `openAICompatibleJudge(options) -> JudgeBackend`. Each call that fails (HTTP error, timeout, malformed
 * JSON) becomes a failed vote; only when all m fail does `complete` reject, with JudgeVotesFailedError.
 */
export function openAICompatibleJudge(options: OpenAIJudgeOptions): JudgeBackend {
  const { url, basic } = endpoint(options.baseUrl);
  const secrets = [options.apiKey, basic, ...credentialsInUrl(options.baseUrl)];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  else if (basic) headers.authorization = `Basic ${basic}`;

  async function oneVote(request: JudgeRequest, signal?: AbortSignal): Promise<string> {
    const body = JSON.stringify({
      model: options.model,
      messages: judgePrompt(request),
      temperature: options.temperature ?? 0.6,
      n: 1,
      ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
    });
    const json = await fetchJudgeJson(url, { method: 'POST', headers, body }, {
      timeoutMs: options.timeoutMs,
      signal,
      fetch: options.fetch,
      secrets,
    });
    // An upstream that echoes its key (or its URL's password) inside a completion must not pass it on.
    return scrubSecrets(completionText(url, json), secrets);
  }

  return {
    name: `openai:${options.model}`,
    async complete(request, m, callOptions = {}) {
      const settled = await Promise.allSettled(Array.from({ length: m }, () => oneVote(request, callOptions.signal)));
      if (callOptions.signal?.aborted) throw new JudgeAbortedError(url);
      const errors = settled.flatMap((s) => (s.status === 'rejected' ? [asError(s.reason)] : []));
      if (m > 0 && errors.length === m) throw new JudgeVotesFailedError(url, errors);
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : failedVoteText(asError(s.reason))));
    },
  };
}

/**
 * The chat-completions URL without the base URL's `user:password@` (fetch refuses such URLs, quoting them in
 * its error), and those credentials as a Basic authorization value.
 */
function endpoint(baseUrl: string): { url: string; basic?: string } {
  const root = baseUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(`${root}/chat/completions`);
  } catch {
    return { url: `${root}/chat/completions` };
  }
  if (!parsed.username && !parsed.password) return { url: parsed.toString() };
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const pair = `${decode(parsed.username)}:${decode(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), basic: btoa(String.fromCharCode(...new TextEncoder().encode(pair))) };
}

/** `choices[0].message.content` of a chat-completions answer. */
function completionText(url: string, json: unknown): string {
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw new JudgeMalformedResponseError(url, 'no `choices` array');
  const content = (choices[0] as { message?: { content?: unknown } } | null)?.message?.content;
  if (typeof content !== 'string') throw new JudgeMalformedResponseError(url, '`choices[0].message.content` is not a string');
  return content;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
