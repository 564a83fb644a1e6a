/** Judge settings (issue 7): secrets are redacted from everything exportable; backoff delays stay bounded. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { createJudgeBackend, redactJudgeConfig, type JudgeConfig } from '../../src/connector/judge-config.ts';
import { backoffDelayMs } from '../../src/connector/backoff.ts';
import { JudgeHttpError } from '../../src/connector/judge-errors.ts';
import { retryAfterMs } from '../../src/connector/judge-fetch.ts';
import type { JudgeBackend } from '../../src/rl/judge/types.ts';

const secret = (rng: () => number) => `s3cr3t-${Math.floor(rng() * 2 ** 48).toString(36)}`;

describe('redactJudgeConfig', () => {
  it('drops tokens and keys but says whether one was set', () => {
    const rng = createRng(11);
    for (let i = 0; i < 20; i++) {
      const token = secret(rng);
      const key = secret(rng);
      const configs: JudgeConfig[] = [
        { kind: 'server', url: 'https://judge.example.org:8787', token },
        { kind: 'openai', baseUrl: 'https://api.example.com/v1', model: 'qwen3-4b', apiKey: key },
      ];
      const out = JSON.stringify(configs.map(redactJudgeConfig));
      expect(out).not.toContain(token);
      expect(out).not.toContain(key);
      expect(configs.map(redactJudgeConfig)).toEqual([
        { kind: 'server', url: 'https://judge.example.org:8787', hasToken: true },
        { kind: 'openai', baseUrl: 'https://api.example.com/v1', model: 'qwen3-4b', hasApiKey: true },
      ]);
    }
  });

  it('strips credentials and query strings pasted into URLs', () => {
    const redacted = redactJudgeConfig({ kind: 'openai', baseUrl: 'http://user:pw-9f@127.0.0.1:8000/v1?api_key=k-77#frag', model: 'm' });
    expect(redacted).toEqual({ kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', hasApiKey: false });
    expect(redactJudgeConfig({ kind: 'server', url: 'not a url at all' })).toEqual({ kind: 'server', url: '(not a URL)', hasToken: false });
    expect(redactJudgeConfig({ kind: 'builtin' })).toEqual({ kind: 'builtin' });
  });

  it('builds backends whose names carry no secret', () => {
    const builtin: JudgeBackend = { name: 'builtin', complete: async () => [] };
    const token = 'tok-abcdef123';
    const key = 'key-abcdef456';
    expect(createJudgeBackend({ kind: 'builtin' }, { builtin })).toBe(builtin);
    const server = createJudgeBackend({ kind: 'server', url: 'http://127.0.0.1:8787', token }, { builtin });
    const openai = createJudgeBackend({ kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', apiKey: key }, { builtin });
    expect(server.name).toBe('server:http://127.0.0.1:8787');
    expect(openai.name).toBe('openai:m');
    expect(JSON.stringify([server, openai])).not.toMatch(/tok-|key-/);
  });
});

describe('backoffDelayMs', () => {
  it('grows as base·2^attempt with equal jitter, capped, and honours Retry-After up to the cap', () => {
    const policy = { retries: 9, baseDelayMs: 100, maxDelayMs: 3_000 };
    const rng = createRng(3);
    for (let attempt = 0; attempt < 9; attempt++) {
      const ceiling = Math.min(3_000, 100 * 2 ** attempt);
      const r = rng();
      expect(backoffDelayMs({ ...policy, random: () => r }, attempt)).toBeCloseTo(ceiling / 2 + (ceiling / 2) * r);
    }
    const asked = new JudgeHttpError('u', 429, '', 2_000);
    expect(backoffDelayMs({ ...policy, random: () => 0 }, 0, asked)).toBe(2_000);
    expect(backoffDelayMs({ ...policy, random: () => 0 }, 0, new JudgeHttpError('u', 429, '', 60_000))).toBe(3_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
