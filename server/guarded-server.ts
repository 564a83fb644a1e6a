/**
 * What every NextState server (the judge server, the policy server) does around its routes: the CORS
 * allow-list and preflight, a per-client rate limit, one log line per request with secrets blanked out,
 * errors answered as `{error: {code, message}}`, and bounded request and header timeouts. A server brings
 * its routes and how its own failures become HTTP errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { corsHeaders, originAllowed } from './cors.ts';
import { HttpError, sendError } from './http-error.ts';
import { answerClientErrors, guardedServerOptions } from './http-guards.ts';
import { createRateLimiter, type RateLimit } from './rate-limit.ts';
import { scrubSecrets } from '../src/connector/scrub-secrets.ts';

export interface Guards {
  /** How the server names itself in messages ("judge server", "policy server"). */
  name: string;
  /** Browser origins allowed to call; `*` allows any. */
  corsOrigins: string[];
  /** Request headers a browser page may send besides `authorization` and `content-type`. */
  corsRequestHeaders?: string[];
  /** Per client address; null or undefined turns it off. */
  rateLimit?: RateLimit | null;
  /** Strings (keys, tokens) blanked out of every answer and log line. */
  secrets: string[];
  /** One line per request. */
  log: (line: string) => void;
  /** Time a request has to arrive whole (headers and body): the server's own time limit (default 60 s). */
  requestTimeoutMs?: number;
}

export interface RequestContext {
  client: string;
  /** Words added to the request's log line (never secrets; bodies only when a server is told to log them). */
  note: string[];
  /** CORS headers for this request's origin, to add to every answer. */
  cors: Record<string, string>;
  /** Throws 429 when the client is over its rate. */
  limitRate(): void;
}

export type Route = (req: IncomingMessage, res: ServerResponse, context: RequestContext) => Promise<void>;

export function createGuardedServer(guards: Guards, route: Route, toHttpError: (error: unknown) => HttpError): Server {
  const rateLimit = guards.rateLimit ? createRateLimiter(guards.rateLimit) : undefined;
  const scrub = (text: string) => scrubSecrets(text, guards.secrets);
  const requestTimeoutMs = guards.requestTimeoutMs ?? 60_000;
  const allowHeaders = ['authorization', 'content-type', ...(guards.corsRequestHeaders ?? [])];

  async function guarded(req: IncomingMessage, res: ServerResponse, context: RequestContext): Promise<void> {
    const origin = req.headers.origin;
    if (!originAllowed(origin, guards.corsOrigins)) throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not on this ${guards.name}'s CORS allow-list`);
    if (req.method === 'OPTIONS') {
      const headers = { ...context.cors };
      // Chrome's Private Network Access: a page on a public origin asking a server on the room's network.
      if (origin && req.headers['access-control-request-private-network'] === 'true') headers['access-control-allow-private-network'] = 'true';
      res.writeHead(204, headers);
      res.end();
      return;
    }
    await route(req, res, context);
  }

  const server = createServer(guardedServerOptions(requestTimeoutMs), (req, res) => {
    const started = performance.now();
    const client = req.socket.remoteAddress ?? 'unknown';
    const cors = corsHeaders(req.headers.origin, guards.corsOrigins, allowHeaders);
    const context: RequestContext = {
      client,
      note: [],
      cors,
      limitRate() {
        const decision = rateLimit?.(client);
        if (decision && !decision.allowed) {
          throw new HttpError(429, 'rate_limited', `too many requests from this client; retry in ${decision.retryAfterS} s`, {
            'retry-after': String(decision.retryAfterS),
          });
        }
      },
    };
    guarded(req, res, context)
      .catch((error: unknown) => {
        const httpError = error instanceof HttpError ? error : toHttpError(error);
        context.note.push(`error=${httpError.code}`);
        if (res.headersSent) return res.destroy();
        const safe = new HttpError(httpError.status, httpError.code, scrub(httpError.message), {
          ...httpError.headers,
          ...cors,
          // An unread oversized body is not worth draining: close the connection after answering.
          ...(httpError.status === 413 ? { connection: 'close' } : {}),
        });
        sendError(res, safe);
      })
      .finally(() => {
        const ms = (performance.now() - started).toFixed(1);
        const path = (req.url ?? '/').split('?')[0];
        guards.log(scrub(`${new Date().toISOString()} ${client} ${req.method} ${path} ${res.statusCode} ${ms}ms ${context.note.join(' ')}`.trimEnd()));
      });
  });
  // Node's own refusals (malformed HTTP, oversized headers, a stalled request) answered as JSON too.
  answerClientErrors(server, requestTimeoutMs, (line) => guards.log(scrub(line)));
  return server;
}

/**
 * Listens on `host:port`, warning first when a server off loopback has no token, and prints the one line
 * "<name> listening on http://host:port (details)" that scripts and tests wait for.
 */
export function listenAnnounced(
  server: Server,
  where: { host: string; port: number; token?: string },
  name: string,
  unguarded: string,
  details: () => string,
): void {
  if (!['127.0.0.1', '::1', 'localhost'].includes(where.host) && !where.token) {
    console.warn(`warning: listening on ${where.host} without ${unguarded}`);
  }
  server.listen(where.port, where.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : where.port;
    const host = where.host.includes(':') ? `[${where.host}]` : where.host;
    console.log(`${name} listening on http://${host}:${port} (${details()})`);
  });
}
