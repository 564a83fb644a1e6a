/**
 * The policy server's guards, shared with the judge server (server/guarded-server.ts, guard-flags.ts), on
 * the real process: CORS allow-list and a preflight that lets a page send the wire headers, body limit,
 * per-client rate limit, clear 400/404 answers, and the bearer token never in its log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';

const data = mkdtempSync(join(tmpdir(), 'nextstate-policy-guards-'));
const token = randomBytes(12).toString('hex');
let server: ListeningChild;
beforeAll(async () => {
  server = await spawnListening(
    'server/policy-main.ts',
    ['--port', '0', '--data', data, '--body-limit', '4096', '--rate-limit', '1', '--rate-burst', '4', '--max-tokens', '4', '--cors-origin', 'http://allowed.test', '--log-bodies'],
    { env: { ...process.env, NEXTSTATE_POLICY_TOKEN: token }, startTimeoutMs: 60_000 },
  );
}, 90_000);
afterAll(async () => {
  await server?.stop();
  rmSync(data, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body) });

describe('policy server guards', () => {
  it('CORS, body limit, bad requests, rate limit; the token never logged', { timeout: 60_000 }, async () => {
    const preflight = await fetch(`${server.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://allowed.test', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://allowed.test');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-session-id');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-session-done');
    expect((await fetch(`${server.url}/healthz`, { headers: { origin: 'http://elsewhere.test' } })).status).toBe(403);

    const big = await post({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    expect(big.status).toBe(413);
    const badRole = await post({ model: 'nextstate-tiny', messages: [{ role: 'wizard', content: 'hi' }] });
    expect([badRole.status, ((await badRole.json()) as { error: { message: string } }).error.message]).toEqual([400, expect.stringContaining('messages[0].role')]);
    const otherModel = await post({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] });
    expect(otherModel.status).toBe(404);
    // Burst 4 at one request a minute (no refill during the test, however slow the machine): the three above and this one pass the rate limit; the fifth in a row is refused with a Retry-After.
    expect((await post({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'hi' }] }, { 'x-session-id': 'g' })).status).toBe(200);
    const fifth = await post({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'hi' }] }, { 'x-session-id': 'g' });
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(server.output()).not.toContain(token);
  });
});
