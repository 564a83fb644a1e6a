/**
 * The remote judge server (issue 7): `GET /healthz` and `POST /v1/judge`, which runs the one vote path
 * (`runJudges`, METHOD §2–3) on a backend and answers in the METHOD §8 judge-record format.
 * Plain node:http; `createJudgeServer` returns an unstarted http.Server so tests can listen on port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runJudges } from '../src/rl/judge/run.ts';
import type { JudgeBackend, JudgeSignal } from '../src/rl/judge/types.ts';
import { HEALTH_PATH, JUDGE_PATH, type JudgeHealth, type JudgeWireResponse } from '../src/connector/judge-wire.ts';
import { scrubSecrets } from '../src/connector/scrub-secrets.ts';
import { checkBearerToken } from './bearer-token.ts';
import { corsHeaders, originAllowed } from './cors.ts';
import { HttpError, sendError, sendJson } from './http-error.ts';
import { answerClientErrors, guardedServerOptions } from './http-guards.ts';
import { httpErrorForBackendFailure } from './judge-errors-to-http.ts';
import { parseJudgeBody } from './parse-judge-body.ts';
import { createRateLimiter, type RateLimit } from './rate-limit.ts';
import { readJsonBodyWithText } from './read-body.ts';

export interface JudgeServerOptions {
  backend: JudgeBackend;
  /** When set, `POST /v1/judge` wants `Authorization: Bearer <token>`. */
  token?: string;
  /** Browser origins allowed to call; `*` allows any. */
  corsOrigins?: string[];
  bodyLimitBytes?: number;
  /** Per client address; null turns it off. */
  rateLimit?: RateLimit | null;
  defaultM?: number;
  maxM?: number;
  /** One line per request; never secrets, and message bodies only with `logBodies`. */
  log?: (line: string) => void;
  logBodies?: boolean;
  /** Strings (the upstream's key, credentials and address; the client token) blanked out of every answer and log line. */
  secrets?: string[];
  /** Time a request has to arrive whole (headers and body); the server's own time limit (`--timeout-ms`). */
  requestTimeoutMs?: number;
}

export const DEFAULT_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:4173', 'http://127.0.0.1:4173'];
export const DEFAULT_BODY_LIMIT_BYTES = 1 << 20;
export const DEFAULT_RATE_LIMIT: RateLimit = { perMinute: 120, burst: 30 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How much of a request body `logBodies` writes into one log line. */
export const LOGGED_BODY_CHARS = 2_000;

export function createJudgeServer(options: JudgeServerOptions): Server {
  const corsOrigins = options.corsOrigins ?? DEFAULT_CORS_ORIGINS;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const limits = { defaultM: options.defaultM ?? 3, maxM: options.maxM ?? 8 };
  const rateLimit = options.rateLimit === null ? undefined : createRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const secrets = [...(options.secrets ?? []), options.token].filter((s): s is string => !!s);
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const log = options.log ?? ((line: string) => console.log(line));

  async function judge(req: IncomingMessage, res: ServerResponse, note: string[], client: string): Promise<void> {
    rateLimitOrThrow(client);
    checkBearerToken(req.headers.authorization, options.token);
    const body = await readJsonBodyWithText(req, bodyLimit);
    // The text as it came (bounded, quoted onto one line): re-serialising the parsed value overflows on deep nesting.
    if (options.logBodies) note.push(`body=${JSON.stringify(boundedForLog(body.text))}`);
    const parsed = parseJudgeBody(body.value, limits);
    note.push(`kind=${parsed.turn.kind}`, `signals=${parsed.signals.join(',')}`, `m=${parsed.m}`);
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    const texts: Partial<Record<JudgeSignal, string[]>> = {};
    const recording: JudgeBackend = {
      name: options.backend.name,
      async complete(request, m, callOptions) {
        // Scrubbed before the votes are read, so hints and raw texts alike go out without an echoed secret.
        const out = (await options.backend.complete(request, m, callOptions)).map(scrub);
        texts[request.signal] = out;
        return out;
      },
    };
    let results;
    try {
      results = await runJudges(recording, parsed.turn, parsed.m, parsed.signals, { signal: aborted.signal });
    } catch (error) {
      throw httpErrorForBackendFailure(error);
    }
    const answer: JudgeWireResponse = { backend: options.backend.name, m: parsed.m, ...results, texts };
    if (parsed.sessionId !== undefined) answer.session_id = parsed.sessionId;
    if (parsed.turnNumber !== undefined) answer.turn = parsed.turnNumber;
    if (results.evaluative) note.push(`score=${results.evaluative.score}`);
    if (results.directive) note.push(`hints=${results.directive.hints.length}`);
    sendJson(res, 200, answer, corsHeaders(req.headers.origin, corsOrigins));
  }

  function rateLimitOrThrow(client: string): void {
    if (!rateLimit) return;
    const decision = rateLimit(client);
    if (!decision.allowed) {
      throw new HttpError(429, 'rate_limited', `too many requests from this client; retry in ${decision.retryAfterS} s`, {
        'retry-after': String(decision.retryAfterS),
      });
    }
  }

  function health(): JudgeHealth {
    return { ok: true, backend: options.backend.name, auth: !!options.token, default_m: limits.defaultM, max_m: limits.maxM };
  }

  async function route(req: IncomingMessage, res: ServerResponse, note: string[], client: string): Promise<void> {
    const origin = req.headers.origin;
    const path = (req.url ?? '/').split('?')[0];
    if (!originAllowed(origin, corsOrigins)) throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not on this judge server's CORS allow-list`);
    if (req.method === 'OPTIONS') {
      const headers = corsHeaders(origin, corsOrigins);
      // Chrome's Private Network Access: a page on a public origin asking a judge on the room's network.
      if (origin && req.headers['access-control-request-private-network'] === 'true') headers['access-control-allow-private-network'] = 'true';
      res.writeHead(204, headers);
      res.end();
      return;
    }
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, health(), corsHeaders(origin, corsOrigins));
      return;
    }
    if (path === JUDGE_PATH) {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${JUDGE_PATH} takes POST`, { allow: 'POST, OPTIONS' });
      await judge(req, res, note, client);
      return;
    }
    throw new HttpError(404, 'not_found', `no route ${req.method} ${path}; try GET ${HEALTH_PATH} or POST ${JUDGE_PATH}`);
  }

  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = createServer(guardedServerOptions(requestTimeoutMs), (req, res) => {
    const started = performance.now();
    const client = req.socket.remoteAddress ?? 'unknown';
    const note: string[] = [];
    route(req, res, note, client)
      .catch((error: unknown) => {
        const httpError = error instanceof HttpError ? error : httpErrorForBackendFailure(error);
        note.push(`error=${httpError.code}`);
        if (res.headersSent) return res.destroy();
        const safe = new HttpError(httpError.status, httpError.code, scrub(httpError.message), {
          ...httpError.headers,
          ...corsHeaders(req.headers.origin, corsOrigins),
          // An unread oversized body is not worth draining: close the connection after answering.
          ...(httpError.status === 413 ? { connection: 'close' } : {}),
        });
        sendError(res, safe);
      })
      .finally(() => {
        const ms = (performance.now() - started).toFixed(1);
        const path = (req.url ?? '/').split('?')[0];
        log(scrub(`${new Date().toISOString()} ${client} ${req.method} ${path} ${res.statusCode} ${ms}ms ${note.join(' ')}`.trimEnd()));
      });
  });
  answerClientErrors(server, requestTimeoutMs, (line) => log(scrub(line)));
  return server;
}

function boundedForLog(text: string): string {
  return text.length <= LOGGED_BODY_CHARS ? text : `${text.slice(0, LOGGED_BODY_CHARS)}… (${text.length} chars)`;
}
