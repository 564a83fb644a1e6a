/**
 * What every HTTP server of NextState (the judge server, the policy server) guards the same way, below
 * its routes: Node's own refusals (malformed HTTP, oversized headers, a request that does not arrive in
 * time) answered as JSON `{error: {code, message}}` instead of an empty body, and request/headers
 * timeouts that match the server's own time limit instead of Node's defaults (300 s, checked every 30 s).
 */
import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { JudgeWireError } from '../src/connector/judge-wire.ts';
import { HttpError } from './http-error.ts';

/**
 * `createServer` options for a server whose requests must arrive whole within `timeoutMs`: a stalled
 * body or header is cut within about a second of that, not a minute and a half later.
 */
export function guardedServerOptions(timeoutMs: number): ServerOptions {
  return {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeoutMs / 4))),
  };
}

/** The answer to one of Node's own refusals; the code only, never the request bytes the parser saw. */
export function clientErrorAnswer(error: NodeJS.ErrnoException, timeoutMs: number): HttpError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError(408, 'request_timeout', `the request did not arrive whole within ${timeoutMs} ms`);
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(431, 'headers_too_large', 'the request headers are larger than this server accepts');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'chunk_extensions_too_large', 'the chunk extensions are larger than this server accepts');
    default:
      return new HttpError(400, 'malformed_http', `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`);
  }
}

/**
 * Answers Node's `clientError`s with a JSON body and closes the connection, as Node itself would with a
 * bare status line: only when nothing of a response was written to the socket yet.
 */
export function answerClientErrors(server: Server, timeoutMs: number, log?: (line: string) => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const answer = clientErrorAnswer(error, timeoutMs);
    log?.(`${new Date().toISOString()} ${socket.remoteAddress ?? 'unknown'} - - ${answer.status} error=${answer.code}`);
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const body: JudgeWireError = { error: { code: answer.code, message: answer.message } };
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(text)}\r\n` +
        'cache-control: no-store\r\nconnection: close\r\n\r\n' +
        text,
    );
  });
}
