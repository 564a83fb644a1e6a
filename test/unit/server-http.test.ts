/**
 * The judge server's HTTP guards (issue 7) on 127.0.0.1: bearer token (401), body limit (413), bad input
 * (400 saying what is wrong), per-client rate limit (429 + Retry-After), CORS allow-list, routes.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAICompatibleJudge } from '../../src/connector/openai-judge.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { listenJudgeServer, postJudge, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const TOKEN = 'room-token-6e21f0';
const ORIGIN = 'http://localhost:5173';
let upstream: FakeOpenAIUpstream;
let server: LoopbackJudgeServer;

const body = (next = 'thanks <<score:1>>') => ({
  messages: [{ role: 'user', content: 'hi' }],
  reply: 'hello',
  next_state: { role: 'user', content: next },
  kind: 'personal',
  signals: ['evaluative'],
  m: 1,
});
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
  server = await listenJudgeServer({
    backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 2_000 }),
    token: TOKEN,
    corsOrigins: [ORIGIN],
    bodyLimitBytes: 4_096,
    rateLimit: null,
  });
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

describe('judge server guards', () => {
  it('judges with the right token and refuses a missing or wrong one with 401', async () => {
    expect((await postJudge(server.url, body(), auth)).json.evaluative.score).toBe(1);
    const missing = await postJudge(server.url, body());
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe('missing_token');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await postJudge(server.url, body(), { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_token');
    expect(server.logs.join('\n')).not.toContain(TOKEN);
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const big = body('x'.repeat(5_000));
    const declared = await postJudge(server.url, big, auth);
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('body_too_large');
    // Chunked upload without a Content-Length: the limit is counted as the bytes arrive.
    const streamed = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/v1/judge`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(JSON.stringify(big).slice(0, 3_000));
      setTimeout(() => req.end(JSON.stringify(big).slice(3_000)), 50);
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text).error.code).toBe('body_too_large');
    // The server is still fine afterwards.
    expect((await postJudge(server.url, body(), auth)).status).toBe(200);
  });

  it.each([
    ['not JSON', '{"messages": [', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['no reply', JSON.stringify({ ...body(), reply: undefined }), /`reply`/],
    ['a bad next-state role', JSON.stringify({ ...body(), next_state: { role: 'assistant', content: 'x' } }), /`next_state.role`/],
    ['a bad message', JSON.stringify({ ...body(), messages: [{ role: 'user' }] }), /`messages\[0\].content`/],
    ['an unknown kind', JSON.stringify({ ...body(), kind: 'chess' }), /`kind`/],
    ['an unknown signal', JSON.stringify({ ...body(), signals: ['evaluative', 'vibes'] }), /`signals`/],
    ['m too large', JSON.stringify({ ...body(), m: 99 }), /`m` must be an integer from 1 to 8/],
    ['a bad history', JSON.stringify({ ...body(), kind: 'terminal', history: 'ls' }), /`history`/],
  ])('answers 400 saying what is wrong for %s', async (_, text, message) => {
    const r = await postJudge(server.url, text, auth);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(message);
  });

  it('answers CORS preflights for allowed origins only and refuses other origins with 403', async () => {
    const ok = await fetch(`${server.url}/v1/judge`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-private-network')).toBeNull();
    const lan = await fetch(`${server.url}/v1/judge`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-private-network': 'true' } });
    expect(lan.headers.get('access-control-allow-private-network')).toBe('true');
    const judged = await postJudge(server.url, body(), { ...auth, origin: ORIGIN });
    expect(judged.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const evil = await postJudge(server.url, body(), { ...auth, origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves /healthz, 404 elsewhere and 405 for the wrong method', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, backend: 'openai:j', auth: true, default_m: 3, max_m: 8 });
    const missing = await fetch(`${server.url}/v2/judge`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await fetch(`${server.url}/v1/judge`)).status).toBe(405);
  });

  it('rate-limits each client with 429 and Retry-After, then lets it through again', async () => {
    const limited = await listenJudgeServer({
      backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 2_000 }),
      rateLimit: { perMinute: 120, burst: 3 },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await postJudge(limited.url, body())).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await postJudge(limited.url, body());
      expect(refused.json.error.code).toBe('rate_limited');
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(1); // 120/min refills one request every 0.5 s
      await new Promise((r) => setTimeout(r, 600));
      expect((await postJudge(limited.url, body())).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
