/**
 * One reply from a remote policy server over the OpenAI-compatible chat completions API, tagged with the
 * wire tags (METHOD §8): streamed when the server streams (one chunk or many), whole otherwise, with the
 * token log-probs it returns, or none. Every failure is a `RemotePolicyError` whose message says what
 * happened; `retryable` only when the server certainly did not take the message (503 while weights sync,
 * 429), so a retry can never make it answer a message twice.
 */
import type { Message } from '../model/chat.ts';
import type { TurnType } from '../rl/turns.ts';
import { wireHeaders } from '../rl/wire-tags.ts';
import type { FetchLike } from './judge-fetch.ts';

export interface RemotePolicy {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export interface RemoteTurn {
  sessionId: string;
  turnType: TurnType;
  sessionDone?: boolean;
  messages: Message[];
  maxTokens?: number;
}

export interface RemoteToken {
  token: string;
  logprob: number;
}

export interface RemoteReply {
  text: string;
  /** The server's token log-probs, or null when it returned none. */
  tokens: RemoteToken[] | null;
  /** The policy version the server reported, or null. */
  policyVersion: number | null;
}

export class RemotePolicyError extends Error {
  override name = 'RemotePolicyError';
  constructor(
    message: string,
    /** True only when the server certainly did not take the message. */
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 120_000;

function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

async function errorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    return typeof body?.error?.message === 'string' ? body.error.message.slice(0, 300) : '';
  } catch {
    return '';
  }
}

async function failureOf(response: Response, key: string | undefined): Promise<RemotePolicyError> {
  const said = (await errorText(response)).split(key || '\u0000').join('[redacted]');
  const detail = said ? `: ${said}` : '';
  const status = response.status;
  if (status === 503) return new RemotePolicyError(`the policy server is busy (503${detail}); your message is kept and sent when it answers`, true, status, retryAfterMs(response));
  if (status === 429) return new RemotePolicyError(`the policy server is rate limiting this browser (429${detail}); your message is kept and sent when it lets us`, true, status, retryAfterMs(response));
  if (status === 401 || status === 403) return new RemotePolicyError(`the policy server refused the key (${status}${detail}); check the bearer key in Settings → Policy`, false, status);
  if (status === 404) return new RemotePolicyError(`the policy server has no such model or path (404${detail}); check the base URL and model in Settings → Policy`, false, status);
  if (status >= 500) return new RemotePolicyError(`the policy server failed (HTTP ${status}${detail})`, false, status);
  return new RemotePolicyError(`the policy server refused the request (HTTP ${status}${detail})`, false, status);
}

function tokensOf(logprobs: unknown): RemoteToken[] | null {
  const content = (logprobs as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content)) return null;
  return content
    .filter((t): t is { token: string; logprob: number } => typeof t?.token === 'string' && typeof t?.logprob === 'number')
    .map((t) => ({ token: t.token, logprob: t.logprob }));
}

const versionOf = (body: { policy_version?: unknown }) => (typeof body.policy_version === 'number' ? body.policy_version : null);

/** Reads `data:` events of a server-sent event stream, calling `onEvent` with each parsed JSON. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (data: Record<string, unknown>) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const lines = buffered.slice(0, end).split('\n').filter((l) => l.startsWith('data:'));
      buffered = buffered.slice(end + 2);
      const data = lines.map((l) => l.slice(5).trim()).join('\n');
      if (!data || data === '[DONE]') continue;
      try {
        onEvent(JSON.parse(data) as Record<string, unknown>);
      } catch {
        throw new RemotePolicyError('the policy server sent a stream event that is not JSON', false);
      }
    }
  }
}

export async function remoteReply(
  policy: RemotePolicy,
  turn: RemoteTurn,
  options: { onPiece?: (piece: string) => void; timeoutMs?: number; fetch?: FetchLike } = {},
): Promise<RemoteReply> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const url = `${policy.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...wireHeaders(turn) };
  if (policy.apiKey) headers.authorization = `Bearer ${policy.apiKey}`;
  const body = {
    model: policy.model,
    messages: turn.messages,
    stream: true,
    logprobs: true,
    top_logprobs: 1,
    ...(turn.maxTokens ? { max_tokens: turn.maxTokens } : {}),
    // The body tags too, for servers that read them there (METHOD §8).
    session_id: turn.sessionId,
    turn_type: turn.turnType,
    ...(turn.sessionDone ? { session_done: true } : {}),
  };
  try {
    let response: Response;
    try {
      response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
    } catch {
      if (controller.signal.aborted) throw new RemotePolicyError(`the policy server did not answer within ${Math.round(timeoutMs / 1000)} s`, false);
      throw new RemotePolicyError(`the policy server at ${policy.baseUrl} cannot be reached (is it running, and does it allow this page's origin?)`, false);
    }
    if (!response.ok) throw await failureOf(response, policy.apiKey);
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
      const whole = (await response.json()) as { choices?: { message?: { content?: unknown }; logprobs?: unknown }[]; policy_version?: unknown };
      const text = whole.choices?.[0]?.message?.content;
      if (typeof text !== 'string') throw new RemotePolicyError('the policy server answered without a reply (no choices[0].message.content)', false);
      options.onPiece?.(text);
      return { text, tokens: tokensOf(whole.choices?.[0]?.logprobs), policyVersion: versionOf(whole) };
    }
    let text = '';
    let tokens: RemoteToken[] | null = null;
    let policyVersion: number | null = null;
    await readEvents(response.body, (event) => {
      const choice = (event.choices as { delta?: { content?: unknown }; logprobs?: unknown }[] | undefined)?.[0];
      const piece = choice?.delta?.content;
      if (typeof piece === 'string' && piece) {
        text += piece;
        options.onPiece?.(piece);
      }
      const more = tokensOf(choice?.logprobs);
      if (more) tokens = [...(tokens ?? []), ...more];
      policyVersion = versionOf(event) ?? policyVersion;
    });
    return { text, tokens, policyVersion };
  } catch (error) {
    if (error instanceof RemotePolicyError) throw error;
    if (controller.signal.aborted) throw new RemotePolicyError(`the policy server did not finish its reply within ${Math.round(timeoutMs / 1000)} s`, false);
    throw new RemotePolicyError(`the reply from the policy server broke off: ${(error as Error).message}`, false);
  } finally {
    clearTimeout(timer);
  }
}
