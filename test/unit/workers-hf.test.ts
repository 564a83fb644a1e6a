/**
 * The policy and signal engines on a tiny Hugging Face model fetched from a real HTTP server on 127.0.0.1 (a
 * workshop's static folder): the reply streams whole characters and stops at the tokenizer's end-of-turn ids;
 * the signal path turns a complaint into a hinted sample on the model's own vocabulary.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { validateSettings } from '../../src/rl/settings.ts';
import { HfModelError } from '../../src/model/hf/errors.ts';
import type { Message } from '../../src/model/chat.ts';

let root: string;
let model: TinyCheckpoint;
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  await tf.setBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'nextstate-hf-http-'));
  model = writeTinyHfCheckpoint(join(root, 'tiny-qwen2'), { family: 'qwen2', dtype: 'bf16', shards: 2, seed: 3 });
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const name = decodeURIComponent(path.split('/').pop()!);
    requested.push(name);
    if (!path.startsWith('/models/tiny-qwen2/')) return void res.writeHead(404).end();
    const file = join(model.dir, name);
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}/models/tiny-qwen2`;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const sampling = { temperature: 1, topP: 1, maxTokens: 40, seed: 5 };

describe('engines on a Hugging Face model from a folder URL', () => {
  it('PolicyEngine streams a reply in the chat template, pieces concatenating to its text', async () => {
    const engine = new PolicyEngine();
    await engine.init('wasm');
    const info = await engine.loadHf({ kind: 'url', url: base }, 0);
    expect(info.vocabSize).toBe(model.config.vocab_size);
    expect(info.preset).toBe('qwen2');
    expect(requested).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors']));
    const pieces: string[] = [];
    const r = await engine.reply({ sessionId: 's', messages: [{ role: 'user', content: 'héllo 🙂 wörld' }], sampling }, (p) => pieces.push(p));
    expect(r.promptText).toBe('<|im_start|>user\nhéllo 🙂 wörld<|im_end|>\n<|im_start|>assistant\n');
    expect(r.responseIds.length).toBeGreaterThan(0);
    expect(r.responseLogprobs).toHaveLength(r.responseIds.length);
    expect(pieces.join('')).toBe(r.text); // random weights emit invalid UTF-8 too: that shows as U+FFFD in both
    // a reply ends at the first end-of-turn id or at the token limit
    const stops = [model.config.eos_token_id as number];
    const stopAt = r.responseIds.findIndex((id) => stops.includes(id));
    expect(stopAt === -1 ? r.stopped === 'length' : stopAt === r.responseIds.length - 1).toBe(true);
  });

  it('SignalEngine turns a complaint into a hinted sample over the model vocabulary', async () => {
    const serving = new PolicyEngine();
    await serving.init('wasm');
    await serving.loadHf({ kind: 'url', url: base }, 0);
    const messages: Message[] = [{ role: 'user', content: 'What is the capital of Peru?' }];
    const reply = await serving.reply({ sessionId: 's1', messages, sampling: { ...sampling, maxTokens: 12 } });
    const signal = new SignalEngine(builtinJudgeBackend);
    await signal.init('wasm');
    await signal.loadHf({ kind: 'url', url: base });
    const result = await signal.process(
      {
        sessionId: 's1', turn: 1, kind: 'personal', messages: reply.contextMessages, reply: reply.text,
        nextState: { role: 'user', content: 'way too long, just give me one short sentence please' },
        promptIds: reply.promptIds, responseIds: reply.responseIds, responseLogprobs: reply.responseLogprobs, policyVersion: 0,
      },
      validateSettings({ batchSize: 1 }),
    );
    expect(result.directive.accepted).toBe(true);
    expect(result.sample?.case).toBe('combined');
    expect(result.report?.overlap[0]).toHaveLength(reply.responseIds.length);
    const vocab = model.config.vocab_size as number;
    expect(result.sample!.support_ids.flat().every((id) => id >= 0 && id < vocab)).toBe(true);
  });

  it('a missing folder is refused with the file named', async () => {
    const engine = new PolicyEngine();
    await engine.init('wasm');
    const error = await engine.loadHf({ kind: 'url', url: `${base}-nowhere` }, 0).catch((e) => e);
    expect(error).toBeInstanceOf(HfModelError);
    expect(error.message).toMatch(/has no config\.json/);
  });
});

describe('baseModelName', () => {
  it('names the base as PEFT would: the repo and revision, the folder (without the origin serving it), or the picked name', async () => {
    const { baseModelName } = await import('../../src/workers/served-model.ts');
    expect(baseModelName({ kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M-Instruct' })).toEqual({ name: 'HuggingFaceTB/SmolLM2-135M-Instruct', revision: 'main' });
    expect(baseModelName({ kind: 'files', name: 'https://huggingface.co/Qwen/Qwen3-0.6B/resolve/v1.0', files: {} })).toEqual({ name: 'Qwen/Qwen3-0.6B', revision: 'v1.0' });
    expect(baseModelName({ kind: 'files', name: 'http://localhost:5173/.cache/hf/tiny', files: {} })).toEqual({ name: 'tiny', revision: null });
    expect(baseModelName({ kind: 'url', url: 'http://127.0.0.1:8080/models/SmolLM2-135M/' })).toEqual({ name: 'SmolLM2-135M', revision: null });
    expect(baseModelName({ kind: 'files', name: 'my-model', files: {} })).toEqual({ name: 'my-model', revision: null });
  });
});
