/**
 * The browser's client of our judge server (issue 7) against the real server on 127.0.0.1: retries with
 * backoff on 429, 5xx and a server that is not there yet; no retries on 401; a health check.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { judgeServerBackend } from '../../src/connector/judge-server-client.ts';
import { openAICompatibleJudge } from '../../src/connector/openai-judge.ts';
import { JudgeHttpError, JudgeUnreachableError } from '../../src/connector/judge-errors.ts';
import type { BackoffPolicy } from '../../src/connector/backoff.ts';
import { runJudges } from '../../src/rl/judge/run.ts';
import type { JudgeTurn } from '../../src/rl/judge/types.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { closedLoopbackPort, listenJudgeServer, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const TOKEN = 'client-token-0b7e4411';
const fast: BackoffPolicy = { retries: 5, baseDelayMs: 40, maxDelayMs: 400 };
let upstream: FakeOpenAIUpstream;
let server: LoopbackJudgeServer;

const turn = (next: string): JudgeTurn => ({
  kind: 'personal',
  messages: [{ role: 'user', content: 'convert 3 km to m' }],
  reply: '3000 m',
  nextState: { role: 'user', content: next },
});

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
  server = await listenJudgeServer({
    backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 1_000 }),
    token: TOKEN,
    rateLimit: null,
  });
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});
beforeEach(async () => {
  await upstream.setPlan([]);
});

describe('judgeServerBackend', () => {
  it('gets the same signals through the server as the server computed', async () => {
    const client = judgeServerBackend({ url: `${server.url}/`, token: TOKEN, timeoutMs: 2_000 });
    const hint = 'Give the number with a thousands separator.';
    const results = await runJudges(client, turn(`please write 3,000 <<score:-1>> <<hint:${hint}>>`), 3);
    expect(results.evaluative).toEqual({ score: -1, votes: [-1, -1, -1] });
    expect(results.directive).toEqual({ accepted: true, hints: [hint], votes: Array(3).fill({ score: 1, hint }) });
  });

  it('checks health on GET /healthz', async () => {
    const health = await judgeServerBackend({ url: server.url, timeoutMs: 1_000 }).health();
    expect(health).toEqual({ ok: true, backend: 'openai:j', auth: true, default_m: 3, max_m: 8 });
  });

  it('does not retry a wrong token and says 401', async () => {
    const retries: unknown[] = [];
    const client = judgeServerBackend({ url: server.url, token: 'wrong', timeoutMs: 1_000, backoff: fast, onRetry: (_, __, e) => retries.push(e) });
    const error = await client.complete({ ...turn('<<score:1>>'), signal: 'evaluative' }, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JudgeHttpError);
    expect((error as JudgeHttpError).status).toBe(401);
    expect(retries).toEqual([]);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('retries a 502 from a failing upstream until the upstream answers', async () => {
    // Two whole requests' worth of failing calls (m = 3), then good answers.
    await upstream.setPlan([...Array(6).fill({ kind: 'status', status: 500 }), ...Array(30).fill({ kind: 'oracle' })]);
    const seen: number[] = [];
    const client = judgeServerBackend({
      url: server.url, token: TOKEN, timeoutMs: 2_000, backoff: fast,
      onRetry: (_, __, e) => seen.push((e as JudgeHttpError).status),
    });
    const texts = await client.complete({ ...turn('<<score:1>>'), signal: 'evaluative' }, 3);
    expect(seen).toEqual([502, 502]);
    expect(texts.every((t) => t.endsWith('\\boxed{1}'))).toBe(true);
  });

  it('retries 429 from the rate limit, waiting at least what Retry-After asks (capped)', async () => {
    const limited = await listenJudgeServer({
      backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 1_000 }),
      rateLimit: { perMinute: 600, burst: 1 },
    });
    try {
      const delays: number[] = [];
      const client = judgeServerBackend({ url: limited.url, timeoutMs: 2_000, backoff: { retries: 6, baseDelayMs: 10, maxDelayMs: 150 }, onRetry: (_, d) => delays.push(d) });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await client.complete({ ...turn('<<score:-1>>'), signal: 'evaluative' }, 1));
      expect(answers.map((a) => a[0].endsWith('\\boxed{-1}'))).toEqual([true, true, true]);
      expect(delays.length).toBeGreaterThan(0);
      // Retry-After is 1 s; the policy caps every wait at 150 ms.
      expect(delays.every((d) => d === 150)).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('waits with growing delays for a server that is not up yet, then gets its answer', async () => {
    const port = await closedLoopbackPort();
    const delays: number[] = [];
    const client = judgeServerBackend({ url: `http://127.0.0.1:${port}`, timeoutMs: 1_000, backoff: { retries: 8, baseDelayMs: 50, maxDelayMs: 800, random: () => 0.5 }, onRetry: (_, d) => delays.push(d) });
    let late: LoopbackJudgeServer | undefined;
    const starting = new Promise<void>((resolve) => setTimeout(async () => {
      late = await listenJudgeServer({ backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 1_000 }), rateLimit: null }, port);
      resolve();
    }, 250));
    try {
      const texts = await client.complete({ ...turn('<<score:1>>'), signal: 'evaluative' }, 2);
      expect(texts).toHaveLength(2);
      expect(delays.length).toBeGreaterThanOrEqual(2);
      // Equal jitter at random 0.5: 0.75 * base * 2^attempt.
      delays.forEach((d, i) => expect(d).toBeCloseTo(0.75 * Math.min(800, 50 * 2 ** i)));
    } finally {
      await starting;
      await late?.close();
    }
  });

  it('gives up after the bounded number of retries on a server that stays down', async () => {
    const port = await closedLoopbackPort();
    let retries = 0;
    const client = judgeServerBackend({ url: `http://127.0.0.1:${port}`, timeoutMs: 500, backoff: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 }, onRetry: () => retries++ });
    const error = await client.complete({ ...turn('x'), signal: 'evaluative' }, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JudgeUnreachableError);
    expect(retries).toBe(3);
    await expect(client.health()).rejects.toBeInstanceOf(JudgeUnreachableError);
  });
});

describe('credentials pasted into a judge URL', () => {
  it('appear in no backend name, health reason or error message', async () => {
    const { checkJudgeHealth } = await import('../../src/connector/judge-health.ts');
    const password = 'pasted-pw-77e1c0';
    const port = await closedLoopbackPort();
    const url = `http://someone:${password}@127.0.0.1:${port}/`;
    const client = judgeServerBackend({ url, timeoutMs: 500, backoff: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    expect(client.name).toBe(`server:http://127.0.0.1:${port}`);
    const error = (await client.complete({ ...turn('thanks'), signal: 'evaluative' }, 1).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/judge at http:\/\/127\.0\.0\.1:\d+\/v1\/judge /);
    const report = await checkJudgeHealth({ kind: 'server', url }, { timeoutMs: 500 });
    const openai = openAICompatibleJudge({ baseUrl: `http://someone:${password}@127.0.0.1:${port}/v1`, model: 'j', timeoutMs: 500 });
    const failed = (await openai.complete({ ...turn('thanks'), signal: 'evaluative' }, 2).catch((e: unknown) => e)) as Error;
    for (const text of [client.name, error.message, JSON.stringify(report), failed.message]) expect(text).not.toContain(password);
  });
});
