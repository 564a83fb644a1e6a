/**
 * The judge server and its upstream (issue 18 items 9 and 10), as real processes on 127.0.0.1: an
 * upstream answer is read only up to a cap (past it the vote fails with a clear error), and neither the
 * credentials in NEXTSTATE_JUDGE_UPSTREAM_URL, nor the key, nor the upstream's address reach a client or
 * the log, in error answers or in successful ones whose completion echoes them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAICompatibleJudge } from '../../src/connector/openai-judge.ts';
import { MAX_JUDGE_RESPONSE_BYTES } from '../../src/connector/judge-fetch.ts';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { closedLoopbackPort, listenJudgeServer, postJudge, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const USER = 'labjudge';
const PASSWORD = 'pw-8c1e5f0a-d9';
const KEY = 'sk-echoed-key-5b7d20e4';
let upstream: FakeOpenAIUpstream;
const children: ListeningChild[] = [];

const turn = (next = 'thanks <<score:1>>', m = 1) => ({
  messages: [{ role: 'user', content: 'What is the capital of Peru?' }],
  reply: 'Lima.',
  next_state: { role: 'user', content: next },
  kind: 'personal',
  signals: ['evaluative'],
  m,
});

function withCredentials(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = USER;
  url.password = PASSWORD;
  return url.toString();
}

async function startMain(upstreamUrl: string, key?: string): Promise<ListeningChild> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXTSTATE_JUDGE_UPSTREAM_URL: upstreamUrl, NEXTSTATE_JUDGE_UPSTREAM_MODEL: 'judge-model' };
  delete env.NEXTSTATE_JUDGE_UPSTREAM_KEY;
  delete env.NEXTSTATE_JUDGE_TOKEN;
  if (key) env.NEXTSTATE_JUDGE_UPSTREAM_KEY = key;
  const child = await spawnListening('server/main.ts', ['--port', '0', '--timeout-ms', '2000', '--rate-limit', '0'], { env });
  children.push(child);
  return child;
}

/** Everything that must stay inside the server for an upstream at `port`. */
function secretsOf(port: number): string[] {
  return [PASSWORD, `${USER}:`, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), KEY, `127.0.0.1:${port}`, `localhost:${port}`];
}

function expectNoneOf(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text, `leaks ${s}`).not.toContain(s);
}

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
});
afterAll(async () => {
  for (const c of children) await c.stop();
  await upstream?.stop();
});
beforeEach(async () => {
  await upstream.setPlan([]);
  await upstream.resetStats();
});

describe('an upstream answer past the cap', () => {
  let server: LoopbackJudgeServer;
  beforeAll(async () => {
    server = await listenJudgeServer({ backend: openAICompatibleJudge({ baseUrl: upstream.baseUrl, model: 'j', timeoutMs: 10_000 }), rateLimit: null });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fails that vote with a clear error and stops reading it', async () => {
    await upstream.setPlan([{ kind: 'huge', bytes: 16 * MAX_JUDGE_RESPONSE_BYTES }]);
    const r = await postJudge(server.url, turn());
    expect(r.status).toBe(502);
    expect(r.json.error.code).toBe('upstream_too_large');
    expect(r.json.error.message).toBe(`the upstream judge failed on all 1 calls; first: sent an answer larger than the limit of ${MAX_JUDGE_RESPONSE_BYTES} bytes; the vote failed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await upstream.stats()).unfinished).toBe(1);
  });

  it('keeps the other votes: one huge answer of three is one failed vote', async () => {
    await upstream.setPlan([{ kind: 'huge', bytes: 2 * MAX_JUDGE_RESPONSE_BYTES }, { kind: 'oracle' }, { kind: 'oracle' }]);
    const r = await postJudge(server.url, turn('thanks <<score:1>>', 3));
    expect(r.status).toBe(200);
    expect(r.json.evaluative.score).toBe(1);
    expect([...r.json.evaluative.votes].sort()).toEqual([1, 1, null]);
  });

  it('still reads an answer just under the cap', async () => {
    await upstream.setPlan([{ kind: 'huge', bytes: MAX_JUDGE_RESPONSE_BYTES - 1_000 }]);
    const r = await postJudge(server.url, turn());
    expect(r.status).toBe(200);
    expect(r.json.evaluative.votes).toEqual([1]);
  });
});

describe('credentials, key and address of the upstream', () => {
  it('sends URL credentials as Basic auth, never fetches them in a URL, and shows them to no client and no log', async () => {
    const server = await startMain(withCredentials(upstream.baseUrl));
    const good = await postJudge(server.url, turn());
    expect(good.status).toBe(200);
    expect((await upstream.stats()).authorizations).toEqual([`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`]);
    await upstream.setPlan([{ kind: 'status', status: 500 }]);
    const failed = await postJudge(server.url, turn());
    expect(failed.status).toBe(502);
    expect(failed.json.error.message).toMatch(/^the upstream judge failed on all 1 calls; first: answered HTTP 500/);
    await upstream.setPlan([{ kind: 'echo' }]);
    const echoed = await postJudge(server.url, turn());
    expect(echoed.status).toBe(200);
    expect(echoed.json.evaluative.score).toBe(1);
    expect(echoed.json.texts.evaluative[0]).toContain('[redacted]');
    for (const r of [good, failed, echoed]) expectNoneOf(r.text, secretsOf(upstream.port));
    expectNoneOf(server.output(), secretsOf(upstream.port));
  });

  it('scrubs the key an upstream echoes inside a completion', async () => {
    const server = await startMain(withCredentials(upstream.baseUrl), KEY);
    await upstream.setPlan([{ kind: 'echo' }]);
    const echoed = await postJudge(server.url, { ...turn(), signals: ['evaluative', 'directive'] });
    expect(echoed.status).toBe(200);
    expect((await upstream.stats()).authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
    expect(echoed.json.texts.evaluative[0]).toMatch(/^Called with Bearer \[redacted\] at \[redacted\]/);
    expectNoneOf(echoed.text, secretsOf(upstream.port));
    expectNoneOf(server.output(), secretsOf(upstream.port));
  });

  it('does not tell a client where an unreachable upstream is', async () => {
    const port = await closedLoopbackPort();
    const server = await startMain(withCredentials(`http://127.0.0.1:${port}/v1`));
    const r = await postJudge(server.url, turn());
    expect(r.status).toBe(502);
    expect(r.json.error.code).toBe('upstream_unreachable');
    expect(r.json.error.message).toMatch(/^the upstream judge failed on all 1 calls; first: is unreachable/);
    expectNoneOf(r.text, [...secretsOf(port), '/v1/chat/completions']);
    expectNoneOf(server.output(), secretsOf(port));
  });
});
