/** The policy server's flags (policy-flags.ts) and `--model` (policy-model.ts). */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlagError, parsePolicyServerFlags } from '../../server/policy-flags.ts';
import { loadServedModel } from '../../server/policy-model.ts';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';

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

  it('--model: the shipped checkpoint, or a Hugging Face folder checked before any engine starts (issue 12)', async () => {
    const builtin = await loadServedModel('builtin');
    expect(builtin.kind === 'builtin' && builtin.checkpoint.manifest.preset).toBe('tiny');
    const root = mkdtempSync(join(tmpdir(), 'nextstate-hf-'));
    try {
      const tiny = writeTinyHfCheckpoint(join(root, 'tiny-qwen'), { family: 'qwen2', dtype: 'bf16', shards: 2, seed: 5 });
      const hf = await loadServedModel(tiny.dir);
      if (hf.kind !== 'hf') throw new Error('expected a Hugging Face model');
      expect(hf.family).toBe('qwen2');
      // Exactly the folder's files, byte for byte: the config, tokenizer files, the index and both shards.
      const onDisk = readdirSync(tiny.dir).sort();
      expect(Object.keys(hf.location.files).sort()).toEqual(onDisk);
      for (const name of onDisk) expect(Buffer.from(hf.location.files[name]).equals(readFileSync(join(tiny.dir, name)))).toBe(true);
      expect(parsePolicyServerFlags(['--model', tiny.dir], {}).modelName).toBe('tiny-qwen');
      expect(parsePolicyServerFlags(['--model', tiny.dir, '--model-name', 'q'], {}).modelName).toBe('q');
      expect(parsePolicyServerFlags(['--model', 'builtin'], {}).modelName).toBe('nextstate-tiny');

      // Refused at once, naming what is wrong: an empty folder, a broken config, a path that is no folder.
      const empty = join(root, 'empty');
      mkdirSync(empty);
      await expect(loadServedModel(empty)).rejects.toThrow(FlagError);
      await expect(loadServedModel(empty)).rejects.toThrow(/config\.json/);
      writeFileSync(join(empty, 'config.json'), '{"model_type": "llama",');
      await expect(loadServedModel(empty)).rejects.toThrow(/config\.json is not valid JSON/);
      await expect(loadServedModel(join(root, 'missing'))).rejects.toThrow(/neither "builtin" nor a folder/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
