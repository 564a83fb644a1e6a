/**
 * The page's client for remote policy servers (connector/remote-policy.ts) against a loopback HTTP server
 * that answers as the reference framework's servers do (../shared/WIRE-PROTOCOL.md): "streaming" as one
 * chunk, whole JSON replies, no log-probs, 503 while weights sync, 429 with Retry-After, 500, and silence.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteReply, RemotePolicyError } from '../../src/connector/remote-policy.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;
let handler: Handler = () => undefined;
const seen: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
const server = createServer((req, res) => {
  let text = '';
  req.on('data', (c) => (text += c));
  req.on('end', () => {
    const body = JSON.parse(text) as Record<string, unknown>;
    seen.push({ headers: req.headers, body });
    handler(req, res, body);
  });
});
let baseUrl = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

const policy = () => ({ baseUrl, model: 'm', apiKey: 'sk-secret-123' });
const turn = { sessionId: 's-9', turnType: 'main' as const, messages: [{ role: 'user' as const, content: 'hi' }] };
const words = () => Array.from({ length: 3 + Math.floor(Math.random() * 5) }, () => Math.random().toString(36).slice(2, 7)).join(' ');

describe('remoteReply', () => {
  it('a one-chunk "stream" without log-probs (the reference): the whole reply, tokens unavailable, tags sent as headers and body', async () => {
    const reply = words();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant', content: reply } }], session_id: 's-9' })}\n\n`);
      res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    };
    const pieces: string[] = [];
    const out = await remoteReply(policy(), { ...turn, sessionDone: true }, { onPiece: (p) => pieces.push(p) });
    expect(out).toEqual({ text: reply, tokens: null, policyVersion: null });
    expect(pieces).toEqual([reply]);
    const last = seen.at(-1)!;
    expect(last.headers['x-session-id']).toBe('s-9');
    expect(last.headers['x-turn-type']).toBe('main');
    expect(last.headers['x-session-done']).toBe('true');
    expect(last.headers.authorization).toBe('Bearer sk-secret-123');
    expect(last.body).toMatchObject({ model: 'm', session_id: 's-9', turn_type: 'main', session_done: true, stream: true, logprobs: true });
  });

  it('a whole JSON reply with log-probs', async () => {
    const tokens = words().split('').map((token) => ({ token, logprob: -Math.random() }));
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: tokens.map((t) => t.token).join('') }, logprobs: { content: tokens } }], policy_version: 7 }));
    };
    expect(await remoteReply(policy(), turn)).toEqual({ text: tokens.map((t) => t.token).join(''), tokens, policyVersion: 7 });
  });

  it('503 and 429 are retryable (with Retry-After); 401 and 500 are not; messages are clear and never carry the key', async () => {
    const answer = (status: number, headers: Record<string, string> = {}) => (handler = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { message: `nope sk-secret-123 (${status})` } }));
    });
    const failure = async () => (await remoteReply(policy(), turn).catch((e: unknown) => e)) as RemotePolicyError;
    answer(503);
    let e = await failure();
    expect([e.retryable, e.status, e.message]).toEqual([true, 503, expect.stringContaining('busy (503')]);
    answer(429, { 'retry-after': '3' });
    e = await failure();
    expect([e.retryable, e.retryAfterMs]).toEqual([true, 3000]);
    answer(401);
    e = await failure();
    expect([e.retryable, e.message]).toEqual([false, expect.stringContaining('refused the key')]);
    answer(500);
    e = await failure();
    expect([e.retryable, e.message]).toEqual([false, expect.stringContaining('failed (HTTP 500')]);
    for (const status of [503, 401, 500]) {
      answer(status);
      expect((await failure()).message).not.toContain('sk-secret-123');
    }
  });

  it('a server that does not answer in time: a timeout, not retried', async () => {
    handler = () => undefined;
    const e = (await remoteReply(policy(), turn, { timeoutMs: 300 }).catch((x: unknown) => x)) as RemotePolicyError;
    expect(e).toBeInstanceOf(RemotePolicyError);
    expect([e.retryable, e.message]).toEqual([false, expect.stringContaining('did not answer within')]);
  });
});
