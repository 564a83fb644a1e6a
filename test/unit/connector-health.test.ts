/**
 * The page's judge health check and the direct OpenAI-compatible path's retries (issue 7), against a
 * real fake upstream and the real judge server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJudgeHealth } from '../../src/connector/judge-health.ts';
import { createJudgeBackend } from '../../src/connector/judge-config.ts';
import { JudgeVotesFailedError } from '../../src/connector/judge-errors.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import type { JudgeRequest } from '../../src/rl/judge/types.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { closedLoopbackPort, listenJudgeServer, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const KEY = 'sk-health-4e0a';
let upstream: FakeOpenAIUpstream;
let server: LoopbackJudgeServer;

const request: JudgeRequest = {
  signal: 'evaluative',
  kind: 'personal',
  messages: [{ role: 'user', content: 'capital of Chile?' }],
  reply: 'Santiago.',
  nextState: { role: 'user', content: 'thanks <<score:1>>' },
};

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
  server = await listenJudgeServer({ backend: builtinJudgeBackend, token: 't0k', rateLimit: null });
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

describe('checkJudgeHealth', () => {
  it('reports each kind of judge that is there', async () => {
    await upstream.resetStats();
    expect(await checkJudgeHealth({ kind: 'builtin' })).toEqual({ ok: true, backend: 'builtin' });
    expect(await checkJudgeHealth({ kind: 'server', url: server.url })).toEqual({ ok: true, backend: `server:${server.url} (builtin)` });
    expect(await checkJudgeHealth({ kind: 'openai', baseUrl: upstream.baseUrl, model: 'j', apiKey: KEY })).toEqual({ ok: true, backend: 'openai:j' });
    expect((await upstream.stats()).authorizations).toEqual([`Bearer ${KEY}`]);
  });

  it('says why, and that it may pass later, when the judge is not there', async () => {
    const port = await closedLoopbackPort();
    for (const config of [
      { kind: 'server', url: `http://127.0.0.1:${port}` },
      { kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'j', apiKey: KEY },
    ] as const) {
      const report = await checkJudgeHealth(config, { timeoutMs: 1_000 });
      expect(report.ok).toBe(false);
      if (report.ok) continue;
      expect(report.transient).toBe(true);
      expect(report.reason).toMatch(/unreachable/);
      expect(report.reason).not.toContain(KEY);
    }
  });
});

describe('createJudgeBackend', () => {
  it('defaults to the built-in judge', () => {
    expect(createJudgeBackend({ kind: 'builtin' })).toBe(builtinJudgeBackend);
  });

  it('retries the direct OpenAI-compatible path when all votes fail transiently, then votes', async () => {
    await upstream.setPlan([...Array(3).fill({ kind: 'status', status: 429, retryAfterS: 0 }), ...Array(10).fill({ kind: 'oracle' })]);
    const retries: unknown[] = [];
    const judge = createJudgeBackend(
      { kind: 'openai', baseUrl: upstream.baseUrl, model: 'j', apiKey: KEY },
      { timeoutMs: 1_000, backoff: { retries: 3, baseDelayMs: 10, maxDelayMs: 50 }, onRetry: (_, __, e) => retries.push(e) },
    );
    const texts = await judge.complete(request, 3);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toBeInstanceOf(JudgeVotesFailedError);
    expect(texts.every((t) => t.endsWith('\\boxed{1}'))).toBe(true);
    await upstream.setPlan([]);
  });
});
