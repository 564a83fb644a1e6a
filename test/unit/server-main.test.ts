/**
 * `server/main.ts` as a real process (issue 7): the upstream key given in its environment reaches the
 * upstream but never its answers or its log; bodies are logged only with --log-bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream-process.ts';
import { postJudge } from '../support/judge-server-on-loopback.ts';

const KEY = 'sk-live-process-key-a81f2d0c';
const TOKEN = 'workshop-token-77c3';
const PRIVATE = 'private-words-of-a-visitor-19be';
let upstream: FakeOpenAIUpstream;
const servers: ListeningChild[] = [];

async function startServer(extraArgs: string[] = []): Promise<ListeningChild> {
  const env = {
    ...process.env,
    NEXTSTATE_JUDGE_UPSTREAM_URL: upstream.baseUrl,
    NEXTSTATE_JUDGE_UPSTREAM_MODEL: 'judge-model',
    NEXTSTATE_JUDGE_UPSTREAM_KEY: KEY,
    NEXTSTATE_JUDGE_TOKEN: TOKEN,
  };
  const server = await spawnListening('server/main.ts', ['--port', '0', '--timeout-ms', '500', ...extraArgs], { env });
  servers.push(server);
  return server;
}

const body = (next: string) => ({
  messages: [{ role: 'user', content: PRIVATE }],
  reply: 'ok',
  next_state: { role: 'user', content: next },
  kind: 'personal',
  signals: ['evaluative', 'directive'],
});

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream();
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await upstream?.stop();
});

describe('judge-server process', () => {
  it('uses the key upstream and never shows it in answers or logs', async () => {
    const server = await startServer();
    const auth = { authorization: `Bearer ${TOKEN}` };
    const good = await postJudge(server.url, body('thanks <<score:1>>'), auth);
    expect(good.status).toBe(200);
    expect(good.json.backend).toBe('openai:judge-model');
    expect(good.json.evaluative.score).toBe(1);
    // The fake upstream echoes the authorization header in its error bodies.
    await upstream.setPlan([{ kind: 'status', status: 500 }]);
    const failed = await postJudge(server.url, body('x'), auth);
    await upstream.setPlan([{ kind: 'status', status: 429, retryAfterS: 1 }]);
    const limited = await postJudge(server.url, body('x'), auth);
    await upstream.setPlan([]);
    const unauthorised = await postJudge(server.url, body('x'), { authorization: 'Bearer nope' });
    expect([failed.status, limited.status, unauthorised.status]).toEqual([502, 502, 401]);
    const stats = await upstream.stats();
    expect(stats.authorizations).toContain(`Bearer ${KEY}`);

    for (const r of [good, failed, limited, unauthorised]) expect(r.text).not.toContain(KEY);
    const health = await (await fetch(`${server.url}/healthz`)).text();
    expect(health).not.toContain(KEY);
    await new Promise((r) => setTimeout(r, 100));
    const log = server.output();
    expect(log).toMatch(/judge server listening on http:\/\/127\.0\.0\.1:\d+ \(backend openai:judge-model, token required/);
    expect(log.match(/POST \/v1\/judge/g)).toHaveLength(4);
    expect(log).toContain('error=upstream_http_error');
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(PRIVATE);
  });

  it('logs bodies only when asked to', async () => {
    await upstream.setPlan([]);
    const server = await startServer(['--log-bodies']);
    await postJudge(server.url, body('<<score:-1>>'), { authorization: `Bearer ${TOKEN}` });
    await new Promise((r) => setTimeout(r, 100));
    expect(server.output()).toContain(PRIVATE);
    expect(server.output()).not.toContain(KEY);
  });
});
