/**
 * The judge server with an upstream OpenAI-compatible backend (issue 7), both real HTTP servers on
 * 127.0.0.1: the upstream is a small fake in another process that can be told to misbehave.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { openAICompatibleJudge } from '../../src/connector/openai-judge.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { closedLoopbackPort, listenJudgeServer, postJudge, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const KEY = 'sk-upstream-test-3f9a1c77e2b04d';
const TIMEOUT_MS = 400;

let upstream: FakeOpenAIUpstream;
let server: LoopbackJudgeServer;

function turn(nextState: string, extra: Record<string, unknown> = {}) {
  return {
    messages: [{ role: 'user', content: 'What is the capital of Peru?' }],
    reply: 'Lima.',
    next_state: { role: 'user', content: nextState },
    kind: 'personal',
    signals: ['evaluative'],
    ...extra,
  };
}

/** Majority of METHOD §2, written out independently: drop nulls; none or a tie -> 0. */
function expectedMajority(votes: (number | null)[]): number {
  const valid = votes.filter((v): v is number => v !== null);
  const plus = valid.filter((v) => v === 1).length;
  const minus = valid.filter((v) => v === -1).length;
  const zero = valid.filter((v) => v === 0).length;
  const top = Math.max(plus, minus, zero);
  if (top === 0 || [plus, minus, zero].filter((c) => c === top).length > 1) return 0;
  return top === plus ? 1 : top === minus ? -1 : 0;
}

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
  const backend = openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'judge-test', apiKey: KEY, timeoutMs: TIMEOUT_MS });
  server = await listenJudgeServer({ backend, rateLimit: null, secrets: [KEY] });
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

beforeEach(async () => {
  await upstream.setPlan([]);
  await upstream.resetStats();
});

describe('judge server with an OpenAI-compatible upstream', () => {
  it('judges both signals from the upstream texts, sending the key upstream at temperature 0.6', async () => {
    const hint = 'Answer with the city name only, in lowercase.';
    const r = await postJudge(server.url, turn(`no, write it in lowercase <<score:-1>> <<hint:${hint}>>`, { signals: ['evaluative', 'directive'], m: 3 }));
    expect(r.status).toBe(200);
    expect(r.json.evaluative).toEqual({ score: -1, votes: [-1, -1, -1] });
    expect(r.json.directive).toEqual({ accepted: true, hints: [hint], votes: Array(3).fill({ score: 1, hint }) });
    expect(r.json.texts.evaluative).toHaveLength(3);
    const stats = await upstream.stats();
    expect(stats.calls).toBe(6);
    expect(new Set(stats.authorizations)).toEqual(new Set([`Bearer ${KEY}`]));
    expect(new Set(stats.temperatures)).toEqual(new Set([0.6]));
    expect(new Set(stats.models)).toEqual(new Set(['judge-test']));
  });

  it('counts texts without a boxed score as failed votes and takes the majority of the rest', async () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 6; trial++) {
      const m = 3 + randomInt(rng, 4);
      const votes = Array.from({ length: m }, () => [1, -1, 0, null][randomInt(rng, 4)]);
      await upstream.setPlan(votes.map((v) => ({ kind: 'text', text: v === null ? 'I cannot tell, sorry.' : `reasoning \\boxed{${v}}` })));
      const r = await postJudge(server.url, turn('hmm', { m }));
      expect(r.status).toBe(200);
      expect([...r.json.evaluative.votes].sort()).toEqual([...votes].sort());
      expect(r.json.evaluative.score).toBe(expectedMajority(votes));
    }
  });

  it('turns individual failed calls (500, 429, timeout, malformed) into failed votes, not a failed request', async () => {
    await upstream.setPlan([
      { kind: 'status', status: 500 },
      { kind: 'text', text: 'fine \\boxed{1}' },
      { kind: 'slow', delayMs: TIMEOUT_MS * 5 },
      { kind: 'status', status: 429, retryAfterS: 1 },
      { kind: 'malformed' },
    ]);
    const r = await postJudge(server.url, turn('thanks!', { m: 5 }));
    expect(r.status).toBe(200);
    expect([...r.json.evaluative.votes].sort()).toEqual([1, null, null, null, null].sort());
    expect(r.json.evaluative.score).toBe(1);
    const failed = r.json.texts.evaluative.filter((t: string) => t.startsWith('[judge call failed'));
    expect(failed.sort()).toEqual([
      '[judge call failed: JudgeHttpError]',
      '[judge call failed: JudgeHttpError]',
      '[judge call failed: JudgeMalformedResponseError]',
      '[judge call failed: JudgeTimeoutError]',
    ]);
  });

  it.each([
    ['500', 502, 'upstream_http_error', { kind: 'status', status: 500 }],
    ['429', 502, 'upstream_rate_limited', { kind: 'status', status: 429, retryAfterS: 3 }],
    ['malformed JSON', 502, 'upstream_malformed', { kind: 'malformed' }],
    ['slow', 504, 'upstream_timeout', { kind: 'slow', delayMs: TIMEOUT_MS * 5 }],
  ] as const)('answers upstream %s on every call with %i %s, never showing the key', async (_, status, code, step) => {
    await upstream.setPlan([step]);
    const r = await postJudge(server.url, turn('ok', { m: 3 }));
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(r.json.error.message).toMatch(/judge/);
    expect(r.text).not.toContain(KEY);
    expect(server.logs.join('\n')).not.toContain(KEY);
  });

  it('answers 502 when the upstream is down', async () => {
    const port = await closedLoopbackPort();
    const down = await listenJudgeServer({
      backend: openAICompatibleJudge({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x', apiKey: KEY, timeoutMs: TIMEOUT_MS }),
      rateLimit: null,
      secrets: [KEY],
    });
    try {
      const r = await postJudge(down.url, turn('ok', { signals: ['evaluative', 'directive'] }));
      expect(r.status).toBe(502);
      expect(r.json.error.code).toBe('upstream_unreachable');
      expect(r.text).not.toContain(KEY);
    } finally {
      await down.close();
    }
  });

  it('answers 50 concurrent requests, each with its own verdict and hint', async () => {
    const rng = createRng(50);
    const cases = Array.from({ length: 50 }, (_, i) => ({ score: [1, -1, 0][randomInt(rng, 3)], hint: randomInt(rng, 2) ? `Always mention detail number ${i} first.` : null }));
    const answers = await Promise.all(
      cases.map((c, i) =>
        postJudge(server.url, turn(`reply #${i} <<score:${c.score}>>${c.hint ? ` <<hint:${c.hint}>>` : ''}`, { signals: ['evaluative', 'directive'], session_id: `s${i}`, turn: i + 1 })),
      ),
    );
    answers.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.json.session_id).toBe(`s${i}`);
      expect(r.json.turn).toBe(i + 1);
      expect(r.json.evaluative.score).toBe(cases[i].score);
      expect(r.json.directive.accepted).toBe(cases[i].hint !== null);
      expect(r.json.directive.hints).toEqual(cases[i].hint ? [cases[i].hint] : []);
    });
    expect((await upstream.stats()).calls).toBe(50 * 2 * 3);
  });

  it('cancels the upstream calls when the client goes away', async () => {
    await upstream.setPlan([{ kind: 'slow', delayMs: 300 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const gone = await fetch(`${server.url}/v1/judge`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(turn('x')), signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((gone as Error).name).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs.at(-1)).toMatch(/POST \/v1\/judge 499 .*error=client_closed_request/);
  });

  it('logs one line per request without message bodies', async () => {
    const before = server.logs.length;
    const secretText = 'my-private-sentence-8c1e';
    await postJudge(server.url, turn(`${secretText} <<score:1>>`));
    expect(server.logs.length).toBe(before + 1);
    const line = server.logs.at(-1)!;
    expect(line).toMatch(/POST \/v1\/judge 200 .*kind=personal signals=evaluative m=3 score=1/);
    expect(line).not.toContain(secretText);
  });
});
