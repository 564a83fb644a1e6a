/** The policy server's flags (policy-flags.ts) and `--model` (policy-model.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlagError, parsePolicyServerFlags } from '../../server/policy-flags.ts';
import { loadServedCheckpoint } from '../../server/policy-model.ts';

describe('policy server flags', () => {
  it('defaults, shared guard flags, loop settings, and the token from the environment only', () => {
    const d = parsePolicyServerFlags([], {});
    expect(d).toMatchObject({ host: '127.0.0.1', port: 8790, model: 'builtin', untagged: 'side', pauseAfterUpdateMs: 0, logBodies: false });
    expect(d.token).toBeUndefined();
    const s = parsePolicyServerFlags(
      ['--port', '0', '--batch', '16', '--max-tokens', '32', '--untagged', 'main', '--cors-origin', 'http://a.test,http://b.test', '--rate-limit', '0', '--pause-after-update-ms', '2000'],
      { NEXTSTATE_POLICY_TOKEN: 'tok' },
    );
    expect(s).toMatchObject({ port: 0, untagged: 'main', corsOrigins: ['http://a.test', 'http://b.test'], rateLimit: null, pauseAfterUpdateMs: 2000, token: 'tok' });
    expect([s.loop.batchSize, s.loop.maxTokens, s.loop.backend]).toEqual([16, 32, 'wasm']);
  });

  it('refuses secrets as flags, unknown flags and bad values with a FlagError', () => {
    for (const argv of [['--token', 'x'], ['--nope'], ['--untagged', 'both'], ['--batch', '0'], ['--batch', '999'], ['--port']]) {
      expect(() => parsePolicyServerFlags(argv, {}), argv.join(' ')).toThrow(FlagError);
    }
  });

  it('--model: the shipped checkpoint, and a folder is "not yet supported" (issue 12)', () => {
    expect(loadServedCheckpoint('builtin').manifest.preset).toBe('tiny');
    const folder = mkdtempSync(join(tmpdir(), 'nextstate-hf-'));
    try {
      expect(() => loadServedCheckpoint(folder)).toThrow(/not yet supported/);
      expect(() => loadServedCheckpoint(join(folder, 'missing'))).toThrow(FlagError);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
