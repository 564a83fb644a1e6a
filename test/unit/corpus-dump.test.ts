import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeDump } from '../../scripts/lib/corpus-dump.ts';
import { conversations, CORPUS_VERSION } from '../../src/world/index.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { PRESETS } from '../../src/model/presets.ts';

const run = promisify(execFile);

describe('npm run corpus:dump (the packed corpus the GPU trainer reads)', () => {
  it('holds the stream pretrain.ts trains on: every conversation of the seed that fits maxLen, ids and loss masks intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-dump-'));
    const seed = 1 + Math.floor(Math.random() * 1e6);
    try {
      const out = join(dir, 'c.bin');
      await run('npx', ['tsx', 'scripts/dump-corpus.ts', '--tokens', '6000', '--seed', String(seed), '--out', out], { timeout: 120_000 });
      const { header, rows } = decodeDump(new Uint8Array(readFileSync(out)));
      const tokenizer = defaultTokenizer();
      const expected: { ids: number[]; lossMask: number[] }[] = [];
      let tokens = 0;
      for (const messages of conversations(seed, 'train')) {
        const e = tokenizer.encodeConversation(messages);
        if (e.ids.length > PRESETS.tiny.maxLen) continue;
        expected.push({ ids: Array.from(e.ids), lossMask: Array.from(e.lossMask, (m) => (m ? 1 : 0)) });
        tokens += e.ids.length;
        if (tokens >= 6000) break;
      }
      expect(header).toMatchObject({ corpusVersion: CORPUS_VERSION, seed, split: 'train', conversations: expected.length, tokens });
      expect(rows).toEqual(expected);
      expect(rows.some((r) => r.lossMask.includes(1) && r.lossMask.includes(0))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('refuses a bad --tokens with a clear error and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-dump-'));
    try {
      const out = join(dir, 'c.bin');
      const failed = await run('npx', ['tsx', 'scripts/dump-corpus.ts', '--tokens', 'many', '--out', out], { timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({ code: 2 });
      expect((failed as { stderr: string }).stderr).toMatch(/--tokens must be a positive integer/);
      expect(() => readFileSync(out)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
