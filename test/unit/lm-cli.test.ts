import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { referenceLogits } from '../support/llama-reference.ts';
import { createRng } from '../../src/model/rng.ts';

const run = promisify(execFile);
const lm = (...args: string[]) => run('npx', ['tsx', 'scripts/lm.ts', ...args], { timeout: 120_000 });

let root: string;
let model: TinyCheckpoint;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nextstate-lm-'));
  model = writeTinyHfCheckpoint(join(root, 'qwen2'), { family: 'qwen2', dtype: 'bf16', seed: 9 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function logSoftmax(row: Float64Array): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
  return Array.from(row, (x) => x - lse);
}

describe('npm run lm', () => {
  it('score --ids prints the temperature-1 full-vocabulary log-prob of each id after the first', async () => {
    const rng = createRng(5);
    const ids = Array.from({ length: 9 }, () => Math.floor(rng() * (model.config.vocab_size as number)));
    const { stdout } = await lm('score', '--model', model.dir, '--ids', ids.join(','), '--json');
    const out = JSON.parse(stdout);
    expect(out.ids).toEqual(ids);
    const ref = referenceLogits(model.tensors, model.config, ids);
    expect(out.logprobs).toHaveLength(ids.length - 1);
    out.logprobs.forEach((lp: number, i: number) => expect(Math.abs(lp - logSoftmax(ref[i])[ids[i + 1]])).toBeLessThan(1e-4));
  }, 120_000);

  it('generate --json on an HF folder: the greedy reply of the chat-templated prompt, and on the built-in model', async () => {
    const { stdout } = await lm('generate', '--model', model.dir, '--prompt', 'the cat', '--max-tokens', '5', '--temperature', '0', '--json');
    const out = JSON.parse(stdout);
    const seq = [...out.prompt_ids];
    for (let i = 0; i < out.ids.length; i++) {
      const last = referenceLogits(model.tensors, model.config, seq).at(-1)!;
      const best = last.indexOf(Math.max(...last));
      expect(out.ids[i]).toBe(best);
      seq.push(best);
    }
    expect(out.prompt_ids.length).toBeGreaterThan(5); // the ChatML template wrapped the prompt
    const tiny = JSON.parse((await lm('generate', '--model', 'nextstate-tiny', '--prompt', 'What is 2 + 3?', '--max-tokens', '40', '--seed', '1', '--json')).stdout);
    expect(tiny.ids.length).toBeGreaterThan(0);
    expect(typeof tiny.text).toBe('string');
  }, 120_000);

  it('refuses bad arguments with a message', async () => {
    const e = await lm('score', '--model', model.dir, '--ids', '1,999999', '--json').catch((err) => err);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/outside the vocabulary/);
  }, 120_000);
});
