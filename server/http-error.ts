/** An error answer of the judge server: status, a stable code and a message saying what is wrong. */
import type { ServerResponse } from 'node:http';
import type { JudgeWireError } from '../src/connector/judge-wire.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const body: JudgeWireError = { error: { code: error.code, message: error.message } };
  sendJson(res, error.status, body, error.headers);
}
