/**
 * The remote judge server (issue 7): `GET /healthz` and `POST /v1/judge`, which runs the one vote path
 * (`runJudges`, METHOD §2–3) on a backend and answers in the METHOD §8 judge-record format.
 * Plain node:http with the shared guards (guarded-server.ts); `createJudgeServer` returns an unstarted
 * http.Server so tests can listen on port 0.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { runJudges } from '../src/rl/judge/run.ts';
import type { JudgeBackend, JudgeSignal } from '../src/rl/judge/types.ts';
import { HEALTH_PATH, JUDGE_PATH, type JudgeHealth, type JudgeWireResponse } from '../src/connector/judge-wire.ts';
import { scrubSecrets } from '../src/connector/scrub-secrets.ts';
import { checkBearerToken } from './bearer-token.ts';
import { createGuardedServer, type RequestContext } from './guarded-server.ts';
import { HttpError, sendJson } from './http-error.ts';
import { httpErrorForBackendFailure } from './judge-errors-to-http.ts';
import { parseJudgeBody } from './parse-judge-body.ts';
import type { RateLimit } from './rate-limit.ts';
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
  const secrets = [...(options.secrets ?? []), options.token].filter((s): s is string => !!s);
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const log = options.log ?? ((line: string) => console.log(line));

  async function judge(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    const note = context.note;
    context.limitRate();
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
    sendJson(res, 200, answer, context.cors);
  }

  function health(): JudgeHealth {
    return { ok: true, backend: options.backend.name, auth: !!options.token, default_m: limits.defaultM, max_m: limits.maxM };
  }

  async function route(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, 200, health(), context.cors);
      return;
    }
    if (path === JUDGE_PATH) {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${JUDGE_PATH} takes POST`, { allow: 'POST, OPTIONS' });
      await judge(req, res, context);
      return;
    }
    throw new HttpError(404, 'not_found', `no route ${req.method} ${path}; try GET ${HEALTH_PATH} or POST ${JUDGE_PATH}`);
  }

  const guards = {
    name: 'judge server', corsOrigins, rateLimit: options.rateLimit === null ? null : (options.rateLimit ?? DEFAULT_RATE_LIMIT), secrets, log,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  return createGuardedServer(guards, route, httpErrorForBackendFailure);
}

function boundedForLog(text: string): string {
  return text.length <= LOGGED_BODY_CHARS ? text : `${text.slice(0, LOGGED_BODY_CHARS)}… (${text.length} chars)`;
}
