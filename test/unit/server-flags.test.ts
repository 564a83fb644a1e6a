/** `npm run judge-server` flags and environment (issue 7): defaults, overrides, secrets only from the environment. */
import { describe, expect, it } from 'vitest';
import { FlagError, parseJudgeServerFlags } from '../../server/flags.ts';

describe('parseJudgeServerFlags', () => {
  it('defaults to the built-in judge on 127.0.0.1:8787', () => {
    const s = parseJudgeServerFlags([], {});
    expect(s).toMatchObject({ host: '127.0.0.1', port: 8787, defaultM: 3, maxM: 8, logBodies: false, rateLimit: { perMinute: 120, burst: 30 } });
    expect(s.upstream).toBeUndefined();
    expect(s.token).toBeUndefined();
    expect(s.corsOrigins).toContain('http://localhost:5173');
  });

  it('reads flags and the upstream, key and token from the environment', () => {
    const s = parseJudgeServerFlags(
      ['--host', '0.0.0.0', '--port', '0', '--cors-origin', 'https://a.example,https://b.example', '--cors-origin', 'https://c.example',
        '--body-limit', '2048', '--rate-limit', '30', '--rate-burst', '5', '--m', '5', '--timeout-ms', '900', '--log-bodies'],
      {
        NEXTSTATE_JUDGE_UPSTREAM_URL: 'http://127.0.0.1:8000/v1',
        NEXTSTATE_JUDGE_UPSTREAM_MODEL: 'qwen',
        NEXTSTATE_JUDGE_UPSTREAM_KEY: 'sk-1',
        NEXTSTATE_JUDGE_TOKEN: 'tok',
      },
    );
    expect(s).toEqual({
      host: '0.0.0.0', port: 0, corsOrigins: ['https://a.example', 'https://b.example', 'https://c.example'], bodyLimitBytes: 2048,
      rateLimit: { perMinute: 30, burst: 5 }, defaultM: 5, maxM: 8, timeoutMs: 900, logBodies: true, token: 'tok',
      upstream: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen', apiKey: 'sk-1' },
    });
    expect(parseJudgeServerFlags(['--rate-limit', '0'], {}).rateLimit).toBeNull();
    expect(parseJudgeServerFlags([], { NEXTSTATE_JUDGE_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });

  it.each([
    [['--key', 'sk-1'], /environment/],
    [['--token', 't'], /environment/],
    [['--port', 'eighty'], /--port wants an integer/],
    [['--port'], /wants a value/],
    [['--frobnicate'], /unknown flag/],
    [['--m', '9'], /more than --max-m/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseJudgeServerFlags(argv, {})).toThrow(FlagError);
    expect(() => parseJudgeServerFlags(argv, {})).toThrow(message);
  });

  it('wants a model name with an upstream URL', () => {
    expect(() => parseJudgeServerFlags([], { NEXTSTATE_JUDGE_UPSTREAM_URL: 'http://127.0.0.1:1/v1' })).toThrow(/MODEL/);
  });
});
