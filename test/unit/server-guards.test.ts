/**
 * The judge server's guards below its routes (issue 18 items 7, 8 and 11), over raw sockets on 127.0.0.1:
 * Node's own refusals come back as JSON, a stalled request is cut at the server's own time limit, `null`
 * is a 400 naming the field for every optional field, `--log-bodies` does not turn a 400 into a 500, and
 * `/healthz` keeps answering while the built-in judge works through bodies near the 1 MiB limit.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnListening } from '../../server/spawn-listening.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { listenJudgeServer, postJudge, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

const TIMEOUT_MS = 600;
let server: LoopbackJudgeServer;

const body = (extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: 'What is the capital of Peru?' }],
  reply: 'Lima.',
  next_state: { role: 'user', content: 'thanks!' },
  kind: 'personal',
  ...extra,
});

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  ms: number;
}

/** Writes `parts` to a fresh socket (a gap of `gapMs` between them), then reads until the server closes. */
function rawExchange(port: number, parts: string[], gapMs = 0): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n'), ms: performance.now() - started });
    });
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && gapMs) await new Promise((r) => setTimeout(r, gapMs));
        if (!socket.destroyed) socket.write(part);
      }
    });
  });
}

beforeAll(async () => {
  server = await listenJudgeServer({ backend: builtinJudgeBackend, rateLimit: null, requestTimeoutMs: TIMEOUT_MS });
});
afterAll(async () => {
  await server?.close();
});

describe("Node's own refusals, as JSON", () => {
  it('answers a malformed request line with a JSON 400', async () => {
    const r = await rawExchange(server.port, ['NOT HTTP AT ALL\r\n\r\n']);
    expect(r.status).toBe(400);
    expect(r.head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(r.body).error.code).toBe('malformed_http');
  });

  it('answers oversized headers with a JSON 431', async () => {
    const r = await rawExchange(server.port, [`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`]);
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body).error.code).toBe('headers_too_large');
  });

  it('cuts a stalled body at the server time limit with a JSON 408, and keeps serving', async () => {
    const head = 'POST /v1/judge HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n';
    const r = await rawExchange(server.port, [head, '{"messages": [']);
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body).error).toEqual({ code: 'request_timeout', message: `the request did not arrive whole within ${TIMEOUT_MS} ms` });
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + 2_000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('cuts stalled headers the same way', async () => {
    const r = await rawExchange(server.port, ['GET /healthz HTTP/1.1\r\nhost: x\r\n']);
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body).error.code).toBe('request_timeout');
    expect(r.ms).toBeLessThan(TIMEOUT_MS + 2_000);
  });
});

describe('one rule for optional fields: absent or valid, null is a 400 naming the field', () => {
  it.each([
    ['m', /`m`/],
    ['signals', /`signals`/],
    ['turn', /`turn`/],
    ['task', /`task`/],
    ['session_id', /`session_id`/],
    ['history', /`history`/],
  ])('%s: null', async (field, message) => {
    const r = await postJudge(server.url, body({ [field]: null }));
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(message);
  });

  it('judges with every optional field left out', async () => {
    const r = await postJudge(server.url, body());
    expect(r.status).toBe(200);
    expect(r.json.m).toBe(3);
    expect(Object.keys(r.json.texts).sort()).toEqual(['directive', 'evaluative']);
  });

  it('reads own fields only: a prototype name is not a field', async () => {
    const r = await postJudge(server.url, `{"messages": [], "reply": "x", "next_state": {"role": "user", "content": "ok"}, "__proto__": {"kind": "personal"}}`);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/`kind`/);
  });
});

describe('--log-bodies', () => {
  const deep = `{"messages": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "reply": "x"}`;

  it('answers deeply nested JSON with the same 400 with and without the flag, logging a bounded line', async () => {
    const logging = await listenJudgeServer({ backend: builtinJudgeBackend, rateLimit: null, logBodies: true });
    try {
      const without = await postJudge(server.url, deep);
      const withFlag = await postJudge(logging.url, deep);
      expect(without.status).toBe(400);
      expect(withFlag.status).toBe(400);
      expect(withFlag.json).toEqual(without.json);
      const line = logging.logs.at(-1) ?? '';
      expect(line).toMatch(/ 400 .*body="\{\\"messages\\": \[\[\[/);
      expect(line.length).toBeLessThan(2_500);
      expect(line).not.toContain('\n');
    } finally {
      await logging.close();
    }
  });
});

describe('a busy judge server', () => {
  // The server in a process of its own (`npm run judge-server`, built-in judge), so only its own work can delay it.
  it('answers /healthz while judging bodies near the 1 MiB limit, and judges each in well under a second', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['NEXTSTATE_JUDGE_UPSTREAM_URL', 'NEXTSTATE_JUDGE_UPSTREAM_MODEL', 'NEXTSTATE_JUDGE_UPSTREAM_KEY', 'NEXTSTATE_JUDGE_TOKEN']) delete env[name];
    const busy = await spawnListening('server/main.ts', ['--port', '0', '--rate-limit', '0'], { env });
    try {
      await judgeWhileCheckingHealth(busy.url);
    } finally {
      await busy.stop();
    }
  }, 60_000);
});

/** Posts four hostile bodies at once while polling `/healthz`; every answer must come quickly. */
async function judgeWhileCheckingHealth(url: string): Promise<void> {
  const fill = (piece: string, n: number) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n);
  const hostile = [
    body({ next_state: { role: 'user', content: '.'.repeat(300_000) }, reply: fill('Lima is the capital. ', 300_000) }),
    body({ next_state: { role: 'user', content: fill('no, i meant  .  ..  but  it is  ', 300_000) }, messages: [{ role: 'user', content: fill('what is 7 ', 300_000) }] }),
    body({ kind: 'terminal', next_state: { role: 'tool', content: '\n'.repeat(300_000) + 'x' }, reply: fill('HTTP/', 300_000) }),
    body({ kind: 'terminal', next_state: { role: 'tool', content: `exit code${' '.repeat(300_000)}x` } }),
  ];
  for (const b of hostile) expect(JSON.stringify(b).length).toBeLessThan(1 << 20);
  const healthLatencies: number[] = [];
  let judging = true;
  const polling = (async () => {
    while (judging) {
      const started = performance.now();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      healthLatencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const judged = await Promise.all(hostile.map(async (b) => {
    const started = performance.now();
    const r = await postJudge(url, b);
    return { status: r.status, ms: performance.now() - started };
  }));
  judging = false;
  await polling;
  expect(judged.map((j) => j.status)).toEqual([200, 200, 200, 200]);
  for (const j of judged) expect(j.ms).toBeLessThan(1_000);
  expect(healthLatencies.length).toBeGreaterThan(0);
  expect(Math.max(...healthLatencies)).toBeLessThan(500);
}
