import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinySpec, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { folderFiles } from '../../scripts/lib/model-folder.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { HfModelError } from '../../src/model/hf/errors.ts';
import { Policy } from '../../src/model/policy.ts';
import { KvCache } from '../../src/model/kv-cache.ts';
import { createRng } from '../../src/model/rng.ts';
import { referenceLogits } from '../support/llama-reference.ts';
import { useWasm } from './model-helpers.ts';

let root: string;
beforeAll(async () => {
  await useWasm();
  root = mkdtempSync(join(tmpdir(), 'nextstate-hf-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
function checkpoint(spec: TinySpec): TinyCheckpoint {
  return writeTinyHfCheckpoint(join(root, `m${folders++}`), spec);
}

async function policyOf(c: TinyCheckpoint): Promise<Policy> {
  const model = await loadHfModel(folderFiles(c.dir));
  return new Policy(model.config, model.weights, { trainable: false });
}

function randomIds(seed: number, n: number, vocab: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.floor(rng() * vocab));
}

function logitsOf(p: Policy, ids: number[]): number[][] {
  return tf.tidy(() => p.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.arraySync());
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const LLAMA3_SCALING = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 256 };

const CASES: [string, TinySpec][] = [
  ['llama, GQA 6/2, tied, f32', { family: 'llama', dtype: 'f32', seed: 1 }],
  ['llama, untied, bf16, 3 shards, llama3 rope scaling', { family: 'llama', dtype: 'bf16', shards: 3, tied: false, seed: 2, configOverrides: { rope_scaling: LLAMA3_SCALING } }],
  ['qwen2 with q/k/v biases, bf16', { family: 'qwen2', dtype: 'bf16', seed: 3 }],
  ['qwen3 with q/k norm and head_dim 16, f16, 2 shards', { family: 'qwen3', dtype: 'f16', shards: 2, seed: 4 }],
];

describe('Hugging Face checkpoints on the one graph', () => {
  for (const [name, spec] of CASES) {
    it(`${name}: logits match an independent float64 reference within 1e-4`, async () => {
      const c = checkpoint(spec);
      const p = await policyOf(c);
      const vocab = c.config.vocab_size as number;
      for (const seed of [11, 12]) {
        const ids = randomIds(seed + spec.seed!, 40, vocab);
        const got = logitsOf(p, ids);
        const want = referenceLogits(c.tensors, c.config, ids);
        let worst = 0;
        want.forEach((row, t) => (worst = Math.max(worst, maxAbs(row, got[t]))));
        expect(worst).toBeLessThan(1e-4);
        // the logits are not trivially small: an error of 1e-4 would be visible
        expect(Math.max(...want.flatMap((r) => Array.from(r, Math.abs)))).toBeGreaterThan(0.5);
      }
      p.dispose();
    });
  }

  it('KV-cached greedy decode equals greedy decode by full recompute', async () => {
    const c = checkpoint({ family: 'qwen2', seed: 5, tied: false });
    const p = await policyOf(c);
    const prompt = randomIds(21, 7, c.config.vocab_size as number);
    const cached = await p.generate(prompt, { maxTokens: 12, temperature: 0 });
    const seq = [...prompt];
    for (let i = 0; i < 12; i++) {
      const last = logitsOf(p, seq).at(-1)!;
      seq.push(last.indexOf(Math.max(...last)));
    }
    expect(cached.ids).toEqual(seq.slice(prompt.length));
    p.dispose();
  });

  it('a left-padded batch gives each row the logits it gives alone, in prefill and in cached decode', async () => {
    const c = checkpoint({ family: 'qwen3', seed: 6 });
    const p = await policyOf(c);
    const vocab = c.config.vocab_size as number;
    const rows = [randomIds(31, 5, vocab), randomIds(32, 11, vocab), randomIds(33, 8, vocab)];
    const next = [3, 17, 42];
    const width = 11;
    const padding = rows.map((r) => width - r.length);
    const padded = rows.map((r, b) => [...new Array(padding[b]).fill(0), ...r]);
    const cache = new KvCache();
    const prefill = tf.tidy(() => {
      const out = p.forward(tf.tensor2d(padded, [3, width], 'int32'), 0, undefined, padding);
      cache.replace(out.layers);
      return out.logits.arraySync();
    });
    const step = tf.tidy(() => {
      const out = p.forward(tf.tensor2d(next.map((id) => [id]), [3, 1], 'int32'), width, cache, padding);
      cache.replace(out.layers);
      return out.logits.arraySync();
    });
    cache.dispose();
    rows.forEach((r, b) => {
      const alone = logitsOf(p, [...r, next[b]]);
      for (let t = 0; t < r.length; t++) expect(maxAbs(prefill[b * width + padding[b] + t], alone[t])).toBeLessThan(1e-4);
      expect(maxAbs(step[b], alone[r.length])).toBeLessThan(1e-4);
    });
    p.dispose();
  });
});

async function refusal(dir: string): Promise<HfModelError> {
  const error = await loadHfModel(folderFiles(dir)).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HfModelError);
  return error as HfModelError;
}

function editConfig(dir: string, edit: (c: Record<string, unknown>) => void): void {
  const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  edit(c);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
}

describe('refusals name the family, file and field', () => {
  it('other architectures and unimplemented config fields', async () => {
    for (const [type, arch] of [['gpt2', 'GPT2LMHeadModel'], ['mixtral', 'MixtralForCausalLM'], ['gemma', 'GemmaForCausalLM']]) {
      const c = checkpoint({ family: 'llama', configOverrides: { model_type: type, architectures: [arch] } });
      const e = await refusal(c.dir);
      expect(e.code).toBe('unsupported');
      expect(e.message).toContain(`model_type "${type}"`);
      expect(e.message).toContain(arch);
    }
    const yarn = checkpoint({ family: 'qwen2', configOverrides: { rope_scaling: { rope_type: 'yarn', factor: 4 } } });
    expect((await refusal(yarn.dir)).message).toMatch(/qwen2: config\.json rope_scaling\.rope_type "yarn"/);
    const sliding = checkpoint({ family: 'qwen2', configOverrides: { use_sliding_window: true } });
    expect((await refusal(sliding.dir)).message).toMatch(/use_sliding_window/);
    const act = checkpoint({ family: 'llama', configOverrides: { hidden_act: 'gelu' } });
    expect((await refusal(act.dir)).message).toMatch(/llama: config\.json hidden_act "gelu"/);
  });

  it('missing files, a corrupt or cut-off safetensors file, unknown tensors and wrong shapes', async () => {
    const noConfig = checkpoint({ family: 'llama' });
    unlinkSync(join(noConfig.dir, 'config.json'));
    expect(await refusal(noConfig.dir)).toMatchObject({ code: 'missing-file', message: expect.stringContaining('config.json') });

    const noWeights = checkpoint({ family: 'llama' });
    unlinkSync(join(noWeights.dir, 'model.safetensors'));
    expect(await refusal(noWeights.dir)).toMatchObject({ code: 'missing-file', message: expect.stringContaining('model.safetensors') });

    const noShard = checkpoint({ family: 'llama', shards: 2 });
    unlinkSync(join(noShard.dir, 'model-00002-of-00002.safetensors'));
    expect(await refusal(noShard.dir)).toMatchObject({ code: 'missing-file', message: expect.stringContaining('model-00002-of-00002.safetensors') });

    const garbled = checkpoint({ family: 'llama' });
    const bytes = readFileSync(join(garbled.dir, 'model.safetensors'));
    bytes[10] = 0x7b;
    bytes[11] = 0x22;
    writeFileSync(join(garbled.dir, 'model.safetensors'), bytes);
    expect(await refusal(garbled.dir)).toMatchObject({ code: 'header', message: expect.stringContaining('not valid JSON') });

    const cut = checkpoint({ family: 'llama' });
    const whole = readFileSync(join(cut.dir, 'model.safetensors'));
    writeFileSync(join(cut.dir, 'model.safetensors'), whole.subarray(0, Math.floor(whole.length / 2)));
    expect(await refusal(cut.dir)).toMatchObject({ code: 'header', message: expect.stringContaining('cut off') });

    const extra = checkpoint({ family: 'llama', configOverrides: {} });
    editConfig(extra.dir, (c) => (c.num_hidden_layers = 1)); // layer 1's tensors are now unknown
    expect(await refusal(extra.dir)).toMatchObject({ code: 'unknown-tensor', message: expect.stringContaining('model.layers.1.') });

    const fewer = checkpoint({ family: 'llama' });
    editConfig(fewer.dir, (c) => (c.num_hidden_layers = 3));
    expect(await refusal(fewer.dir)).toMatchObject({ code: 'missing-tensor', message: expect.stringContaining('model.layers.2.') });

    const wide = checkpoint({ family: 'llama' });
    editConfig(wide.dir, (c) => (c.intermediate_size = 96));
    expect(await refusal(wide.dir)).toMatchObject({ code: 'shape', message: expect.stringMatching(/gate_proj\.weight" has shape \[80,48\], config\.json implies \[96,48\]/) });
  });
});
