/**
 * The OpenAI-compatible chat completion on the policy server's side: the request body checked at the
 * boundary (own properties only), and the answer as one `chat.completion` or as `chat.completion.chunk`
 * server-sent events, with the token log-probs the policy sampled with (METHOD §7) when asked.
 */
import type { Message, Role } from '../src/model/chat.ts';
import type { StreamedToken } from '../src/workers/protocol.ts';
import { HttpError } from './http-error.ts';

const ROLES: readonly Role[] = ['system', 'user', 'assistant', 'tool'];
const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const bad = (message: string) => new HttpError(400, 'invalid_request', message);

export interface ChatRequest {
  model: string | null;
  messages: Message[];
  stream: boolean;
  /** Alternatives per token, or null when log-probs were not asked for. */
  topLogprobs: number | null;
  maxTokens: number | null;
  /** The wire tags' body fields (`session_id`, `turn_type`, `session_done`); the model never sees them. */
  tags: { session_id?: unknown; turn_type?: unknown; session_done?: unknown };
}

/** Text of a message's content: a string, or the text parts of a content array. */
function contentText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw bad(`${where}.content must be a string or an array of content parts`);
  return content
    .map((part: unknown, i) => {
      if (typeof part !== 'object' || part === null || !own(part, 'type')) throw bad(`${where}.content[${i}] must be a content part with a type`);
      const p = part as { type: unknown; text?: unknown };
      if (p.type !== 'text' || typeof p.text !== 'string') throw bad(`${where}.content[${i}]: only text parts are supported, got type ${JSON.stringify(p.type)}`);
      return p.text;
    })
    .join('');
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const field = (key: string) => (own(b, key) ? b[key] : undefined);
  const messages = field('messages');
  if (!Array.isArray(messages) || messages.length === 0) throw bad('messages must be a non-empty array');
  const parsed = messages.map((m: unknown, i): Message => {
    const where = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || !own(m, 'role')) throw bad(`${where} must be an object with a role`);
    const role = (m as { role: unknown }).role;
    if (!ROLES.includes(role as Role)) throw bad(`${where}.role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    return { role: role as Role, content: contentText(own(m, 'content') ? (m as { content: unknown }).content : undefined, where) };
  });
  const model = field('model');
  if (model !== undefined && typeof model !== 'string') throw bad('model must be a string');
  const stream = field('stream');
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw bad('stream must be a boolean');
  const logprobs = field('logprobs');
  if (logprobs !== undefined && logprobs !== null && typeof logprobs !== 'boolean') throw bad('logprobs must be a boolean');
  const top = field('top_logprobs');
  if (top !== undefined && top !== null && !(Number.isInteger(top) && (top as number) >= 0 && (top as number) <= 20)) throw bad('top_logprobs must be an integer from 0 to 20');
  if (top && !logprobs) throw bad('top_logprobs needs logprobs: true');
  const maxTokens = field('max_completion_tokens') ?? field('max_tokens');
  if (maxTokens !== undefined && maxTokens !== null && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) throw bad('max_tokens must be a positive integer');
  const n = field('n');
  if (n !== undefined && n !== null && n !== 1) throw bad('n must be 1: one reply per request');
  return {
    model: (model as string | undefined) ?? null,
    messages: parsed,
    stream: stream === true,
    topLogprobs: logprobs === true ? ((top as number | undefined | null) ?? 0) : null,
    maxTokens: (maxTokens as number | undefined | null) ?? null,
    tags: { session_id: field('session_id'), turn_type: field('turn_type'), session_done: field('session_done') },
  };
}

export interface StreamedPiece {
  piece: string;
  token: StreamedToken;
}

/** OpenAI's per-token log-prob entry. */
export function logprobEntry({ piece, token }: StreamedPiece) {
  const bytes = (text: string) => [...Buffer.from(text, 'utf8')];
  return {
    token: piece,
    logprob: token.logprob,
    bytes: bytes(piece),
    top_logprobs: token.top.map((t) => ({ token: t.piece, logprob: t.logprob, bytes: bytes(t.piece) })),
  };
}

export interface CompletionIds {
  id: string;
  created: number;
  model: string;
  sessionId: string;
}

export interface FinishedReply {
  text: string;
  pieces: StreamedPiece[];
  stopped: 'end' | 'length';
  promptTokens: number;
  completionTokens: number;
  policyVersion: number;
}

const finishReason = (stopped: 'end' | 'length') => (stopped === 'end' ? 'stop' : 'length');

export function completion(ids: CompletionIds, reply: FinishedReply, withLogprobs: boolean) {
  return {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.text, refusal: null },
        logprobs: withLogprobs ? { content: reply.pieces.map(logprobEntry), refusal: null } : null,
        finish_reason: finishReason(reply.stopped),
      },
    ],
    usage: { prompt_tokens: reply.promptTokens, completion_tokens: reply.completionTokens, total_tokens: reply.promptTokens + reply.completionTokens },
    session_id: ids.sessionId,
    policy_version: reply.policyVersion,
  };
}

/** One `chat.completion.chunk`: the role first, then text pieces, then the finish reason (with usage). */
export function chunk(ids: CompletionIds, delta: { role?: 'assistant'; content?: string }, extra: { pieces?: StreamedPiece[]; finished?: FinishedReply } = {}) {
  const { pieces, finished } = extra;
  return {
    id: ids.id,
    object: 'chat.completion.chunk',
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        delta,
        logprobs: pieces ? { content: pieces.map(logprobEntry), refusal: null } : null,
        finish_reason: finished ? finishReason(finished.stopped) : null,
      },
    ],
    ...(finished
      ? { usage: { prompt_tokens: finished.promptTokens, completion_tokens: finished.completionTokens, total_tokens: finished.promptTokens + finished.completionTokens }, policy_version: finished.policyVersion }
      : {}),
    session_id: ids.sessionId,
  };
}
