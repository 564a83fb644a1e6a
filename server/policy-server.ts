/**
 * The policy server (issue 16): the online loop behind the reference framework's wire protocol
 * (../shared/WIRE-PROTOCOL.md). `POST /v1/chat/completions` answers any OpenAI-compatible client, streamed
 * token by token or whole, with the sampling log-probs; the wire tags decide main and side turns and where a
 * session ends; a main request's last message is the next state of the session's previous main turn
 * (METHOD §1), recorded before the reply and judged and trained in the background (METHOD §7). Updates are
 * swapped in between replies, so it never answers 503 — unless `pauseAfterUpdateMs` imitates the
 * reference's weight sync for clients' tests. `GET /v1/models`, `GET /healthz` (with `policy_version`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TurnType } from '../src/rl/turns.ts';
import { readWireTags, SESSION_DONE_HEADER, SESSION_ID_HEADER, TURN_TYPE_HEADER } from '../src/rl/wire-tags.ts';
import type { OnlineLoop } from '../src/workers/online-loop.ts';
import type { PolicyEngineApi, SamplingSettings } from '../src/workers/protocol.ts';
import type { RecordStore } from '../src/store/types.ts';
import { checkBearerToken } from './bearer-token.ts';
import { createGuardedServer, type RequestContext } from './guarded-server.ts';
import { HttpError, sendJson } from './http-error.ts';
import { chunk, completion, parseChatRequest, type ChatRequest, type CompletionIds, type FinishedReply, type StreamedPiece } from './policy-chat.ts';
import type { RateLimit } from './rate-limit.ts';
import { readJsonBody } from './read-body.ts';

export const CHAT_PATH = '/v1/chat/completions';
export const MODELS_PATH = '/v1/models';
export const HEALTH_PATH = '/healthz';
/** The session of a request without `X-Session-Id`, as in the reference. */
export const UNKNOWN_SESSION = 'unknown';

export interface PolicyServerOptions {
  loop: OnlineLoop;
  store: RecordStore;
  /** Side turns are answered by the serving policy directly and never recorded. */
  policy: PolicyEngineApi;
  modelName: string;
  /** Sampling of side turns (main turns sample with the loop's settings, so the recorded log-probs are the trained ones). */
  sampling: SamplingSettings;
  /** How a request with no turn type counts: `side` (the reference, the default) or `main` (MetaClaw). */
  untagged?: TurnType;
  token?: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  rateLimit: RateLimit | null;
  log?: (line: string) => void;
  logBodies?: boolean;
  /** Imitates the reference: 503 "submission paused for weight update" for this long after each update (0: never). */
  pauseAfterUpdateMs?: number;
}

export interface PolicyServer {
  server: Server;
  /**
   * The loop's updates (wired by the caller, which builds the loop first): one began, its weights were made (the
   * loop then commits them and `/healthz` shows the new version), it was published, or it failed.
   */
  updateStarted(): void;
  weightsMade(): void;
  updated(): void;
  updateFailed(): void;
}

export function createPolicyServer(options: PolicyServerOptions): PolicyServer {
  const log = options.log ?? ((line: string) => console.log(line));
  const untagged = options.untagged ?? 'side';
  let updating = false;
  let updates = 0;
  let pausedUntil = 0;
  /** With `pauseAfterUpdateMs`: from new weights to their publication, so no client sees the new version before the pause. */
  let syncing = false;
  /** Requests of one session run one after another, in arrival order (a next state belongs to the turn before it). */
  const sessionTails = new Map<string, Promise<unknown>>();

  function inSessionOrder<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = sessionTails.get(sessionId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    sessionTails.set(sessionId, tail);
    void tail.then(() => sessionTails.get(sessionId) === tail && sessionTails.delete(sessionId));
    return run;
  }

  async function ensureSession(sessionId: string, request: ChatRequest): Promise<void> {
    if (await options.store.getSession(sessionId)) return;
    const now = Date.now();
    const title = request.messages.find((m) => m.role === 'user')?.content.slice(0, 48) || sessionId;
    await options.store.putSession({ id: sessionId, title, createdAt: now, updatedAt: now, kind: 'chat' });
  }

  /** A main turn: the next state recorded first, the reply recorded as the session's next main turn. */
  async function mainTurn(sessionId: string, request: ChatRequest, onPiece: (p: StreamedPiece) => void, done: boolean): Promise<FinishedReply> {
    await ensureSession(sessionId, request);
    const pieces: StreamedPiece[] = [];
    const turn = await options.loop.sendMessages(sessionId, request.messages, {
      onToken: (piece, token) => (pieces.push({ piece, token }), onPiece({ piece, token })),
      topLogprobs: request.topLogprobs ?? 0,
      maxTokens: request.maxTokens ?? undefined,
    });
    if (done) await options.loop.endSession(sessionId);
    return {
      text: turn.response_text,
      pieces,
      // Only the end marker is a special token, and special tokens are not streamed; a piece without a log-prob is
      // the rest of a character the reply ended inside, not a token.
      stopped: pieces.filter((p) => !Number.isNaN(p.token.logprob)).length < turn.response_ids.length ? 'end' : 'length',
      promptTokens: turn.prompt_ids.length,
      completionTokens: turn.response_ids.length,
      policyVersion: turn.policy_version,
    };
  }

  /** A side turn (a title, a summary): answered by the serving policy, never recorded, never trained. */
  async function sideTurn(sessionId: string, request: ChatRequest, onPiece: (p: StreamedPiece) => void, done: boolean): Promise<FinishedReply> {
    const pieces: StreamedPiece[] = [];
    const maxTokens = Math.min(request.maxTokens ?? options.sampling.maxTokens, options.sampling.maxTokens);
    const reply = await options.policy.reply({ sessionId, messages: request.messages, sampling: { ...options.sampling, maxTokens }, topLogprobs: request.topLogprobs ?? 0 }, (piece, token) => {
      pieces.push({ piece, token });
      onPiece({ piece, token });
    });
    if (done) await options.loop.endSession(sessionId);
    return { text: reply.text, pieces, stopped: reply.stopped, promptTokens: reply.promptIds.length, completionTokens: reply.responseIds.length, policyVersion: reply.policyVersion };
  }

  async function chat(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    context.limitRate();
    checkBearerToken(req.headers.authorization, options.token, 'policy server');
    const body = await readJsonBody(req, options.bodyLimitBytes);
    if (options.logBodies) context.note.push(`body=${JSON.stringify(body)}`);
    const request = parseChatRequest(body);
    if (request.model !== null && request.model !== options.modelName) {
      throw new HttpError(404, 'model_not_found', `this policy server serves model "${options.modelName}", not "${request.model}"`);
    }
    const headerOf = (name: string) => {
      const value = req.headers[name.toLowerCase()];
      return typeof value === 'string' ? value : null;
    };
    const tags = readWireTags({ get: headerOf }, request.tags, untagged);
    const sessionId = tags.sessionId ?? UNKNOWN_SESSION;
    context.note.push(`session=${sessionId}`, `turn=${tags.turnType}`, ...(tags.sessionDone ? ['done'] : []), `stream=${request.stream}`);
    const wait = syncing ? options.pauseAfterUpdateMs! : pausedUntil - Date.now();
    if (wait > 0) {
      throw new HttpError(503, 'weight_sync', 'submission paused for weight update', { 'retry-after': String(Math.ceil(wait / 1000)) });
    }
    const ids: CompletionIds = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: options.modelName, sessionId };
    const withLogprobs = request.topLogprobs !== null;
    const serve = tags.turnType === 'main' ? mainTurn : sideTurn;
    if (!request.stream) {
      const reply = await inSessionOrder(sessionId, () => serve(sessionId, request, () => undefined, tags.sessionDone));
      context.note.push(`version=${reply.policyVersion}`, `tokens=${reply.completionTokens}`);
      sendJson(res, 200, completion(ids, reply, withLogprobs), context.cors);
      return;
    }
    req.socket.setNoDelay(true);
    const send = (data: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    const start = () => {
      if (res.headersSent) return;
      res.writeHead(200, { ...context.cors, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      send(chunk(ids, { role: 'assistant', content: '' }));
    };
    const reply = await inSessionOrder(sessionId, () =>
      serve(sessionId, request, (piece) => {
        start();
        send(chunk(ids, { content: piece.piece }, withLogprobs ? { pieces: [piece] } : {}));
      }, tags.sessionDone),
    );
    start();
    send(chunk(ids, {}, { finished: reply }));
    res.end('data: [DONE]\n\n');
    context.note.push(`version=${reply.policyVersion}`, `tokens=${reply.completionTokens}`);
  }

  /** Cheap to answer (clients poll it): nothing here reads the store. */
  function health() {
    return {
      ok: true,
      policy_version: options.loop.version,
      model: options.modelName,
      // Off for a frozen Hugging Face base: next states are still recorded and judged, nothing trains.
      training: options.loop.trainingOff ? `off (${options.loop.trainingOff})` : 'on',
      updating,
      updates,
      paused_for_weight_sync: syncing || pausedUntil > Date.now(),
      auth: !!options.token,
      untagged_turn_type: untagged,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === HEALTH_PATH && get) return sendJson(res, 200, health(), context.cors);
    if (path === MODELS_PATH && get) {
      checkBearerToken(req.headers.authorization, options.token, 'policy server');
      return sendJson(res, 200, { object: 'list', data: [{ id: options.modelName, object: 'model', created: 0, owned_by: 'nextstate' }] }, context.cors);
    }
    if (path === CHAT_PATH) {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${CHAT_PATH} takes POST`, { allow: 'POST, OPTIONS' });
      return chat(req, res, context);
    }
    throw new HttpError(404, 'not_found', `no route ${req.method} ${path}; try POST ${CHAT_PATH}, GET ${MODELS_PATH} or GET ${HEALTH_PATH}`);
  }

  const toHttpError = (error: unknown) =>
    error instanceof HttpError ? error : new HttpError(500, 'internal_error', `the policy server failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
  const server = createGuardedServer(
    {
      name: 'policy server',
      corsOrigins: options.corsOrigins,
      corsRequestHeaders: [SESSION_ID_HEADER, TURN_TYPE_HEADER, SESSION_DONE_HEADER].map((h) => h.toLowerCase()),
      rateLimit: options.rateLimit,
      secrets: options.token ? [options.token] : [],
      log,
    },
    route,
    toHttpError,
  );
  return {
    server,
    updateStarted: () => void (updating = true),
    weightsMade: () => void (syncing = !!options.pauseAfterUpdateMs),
    updated: () => {
      updating = false;
      updates++;
      syncing = false;
      if (options.pauseAfterUpdateMs) pausedUntil = Date.now() + options.pauseAfterUpdateMs;
    },
    updateFailed: () => {
      updating = false;
      syncing = false;
    },
  };
}
