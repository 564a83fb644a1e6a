/**
 * The browser's direct OpenAI-compatible judge (issue 7) against a real fake upstream on 127.0.0.1,
 * driven through the shared vote path `runJudges` (METHOD §2–3).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAICompatibleJudge } from '../../src/connector/openai-judge.ts';
import {
  JudgeAbortedError,
  JudgeHttpError,
  JudgeMalformedResponseError,
  JudgeTimeoutError,
  JudgeUnreachableError,
  JudgeVotesFailedError,
  judgeErrorIsTimeout,
  judgeErrorIsTransient,
} from '../../src/connector/judge-errors.ts';
import { runJudges } from '../../src/rl/judge/run.ts';
import type { JudgeTurn } from '../../src/rl/judge/types.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { closedLoopbackPort } from '../support/judge-server-on-loopback.ts';

const KEY = 'sk-browser-key-51d0c9aa';
let upstream: FakeOpenAIUpstream;

const turn = (next: string): JudgeTurn => ({
  kind: 'terminal',
  task: 'list the files',
  history: [{ role: 'assistant', content: 'ls' }],
  messages: [{ role: 'user', content: 'list the files' }],
  reply: 'ls -la',
  nextState: { role: 'tool', content: next },
});

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
});
afterAll(async () => {
  await upstream?.stop();
});
beforeEach(async () => {
  await upstream.setPlan([]);
  await upstream.resetStats();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('openAICompatibleJudge', () => {
  it('asks m parallel chat completions and the vote path turns them into signals', async () => {
    const judge = openAICompatibleJudge({ baseUrl: `${upstream.baseUrl}/`, model: 'm1', apiKey: KEY, timeoutMs: 2_000 });
    const hint = 'Use ls -la to include hidden files next time.';
    const results = await runJudges(judge, turn(`total 0 <<score:1>> <<hint:${hint}>>`), 4);
    expect(results.evaluative).toEqual({ score: 1, votes: [1, 1, 1, 1] });
    expect(results.directive?.hints).toEqual([hint]);
    const stats = await upstream.stats();
    expect(stats.calls).toBe(8);
    expect(stats.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
  });

  it('sends no authorization header without a key', async () => {
    const judge = openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'm1', timeoutMs: 2_000 });
    await judge.complete({ ...turn('<<score:-1>>'), signal: 'evaluative' }, 2);
    expect((await upstream.stats()).authorizations).toEqual(['', '']);
  });

  it.each([
    ['an HTTP status', { kind: 'status', status: 503 }, JudgeHttpError, false],
    ['a timeout', { kind: 'slow', delayMs: 3_000 }, JudgeTimeoutError, true],
    ['malformed JSON', { kind: 'malformed' }, JudgeMalformedResponseError, false],
  ] as const)('rejects with JudgeVotesFailedError holding %s when every call fails', async (_, step, errorClass, isTimeout) => {
    await upstream.setPlan([step]);
    const judge = openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'm1', apiKey: KEY, timeoutMs: 300 });
    const error = await failure(judge.complete({ ...turn('x'), signal: 'evaluative' }, 3));
    expect(error).toBeInstanceOf(JudgeVotesFailedError);
    const errors = (error as JudgeVotesFailedError).errors;
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e).toBeInstanceOf(errorClass);
    expect(judgeErrorIsTimeout(error)).toBe(isTimeout);
    expect(error.message).not.toContain(KEY);
    for (const e of errors) expect(e.message).not.toContain(KEY);
  });

  it('names the HTTP status and the Retry-After of a 429', async () => {
    await upstream.setPlan([{ kind: 'status', status: 429, retryAfterS: 7 }]);
    const judge = openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'm1', apiKey: KEY, timeoutMs: 1_000 });
    const error = (await failure(judge.complete({ ...turn('x'), signal: 'directive' }, 1))) as JudgeVotesFailedError;
    const http = error.errors[0] as JudgeHttpError;
    expect(http).toBeInstanceOf(JudgeHttpError);
    expect(http.status).toBe(429);
    expect(http.retryAfterMs).toBe(7_000);
    expect(http.message).toMatch(/HTTP 429/);
    expect(http.message).toContain('[redacted]');
    expect(judgeErrorIsTransient(error)).toBe(true);
  });

  it('reports an upstream that is down as unreachable', async () => {
    const port = await closedLoopbackPort();
    const judge = openAICompatibleJudge({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm1', timeoutMs: 1_000 });
    const error = (await failure(judge.complete({ ...turn('x'), signal: 'evaluative' }, 2))) as JudgeVotesFailedError;
    expect(error.errors.every((e) => e instanceof JudgeUnreachableError)).toBe(true);
    expect(judgeErrorIsTransient(error)).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    await upstream.setPlan([{ kind: 'slow', delayMs: 3_000 }]);
    const judge = openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'm1', timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(judge.complete({ ...turn('x'), signal: 'evaluative' }, 2, { signal: controller.signal }));
    expect(error).toBeInstanceOf(JudgeAbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
