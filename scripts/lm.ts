/**
 * `npm run lm -- generate --model <folder|nextstate-tiny> --prompt "…" [--max-tokens N] [--temperature T] [--seed S] [--json]`
 * `npm run lm -- score --model <folder|nextstate-tiny> (--text "…" | --ids 1,2,3) --json`
 *
 * generate: the prompt as one user message in the model's chat template, a reply sampled with the KV cache and
 * streamed (text never shows a broken character). score: {"ids", "logprobs"}, the log-prob (temperature 1,
 * full-vocabulary log-softmax) of each id after the first given the ids before it; --ids are used as given (no
 * template, no added tokens), --text is encoded plainly.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { StreamDecoder } from '../src/model/chat-tokenizer.ts';
import { loadModel, type LoadedModel } from './lib/load-model.ts';

const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    text: { type: 'string' },
    ids: { type: 'string' },
    'max-tokens': { type: 'string', default: '64' },
    temperature: { type: 'string', default: '0.6' },
    seed: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`lm: ${message}\n`);
  process.exit(2);
}

function number(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) fail(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  return n;
}

async function generate(m: LoadedModel): Promise<void> {
  if (args.prompt === undefined) fail('generate needs --prompt "…"');
  const maxTokens = number('max-tokens', args['max-tokens']!, true);
  const prompt = m.chat ? m.tokenizer.encodePrompt([{ role: 'user', content: args.prompt }]) : m.tokenizer.encodeText(args.prompt);
  const stream = new StreamDecoder(m.tokenizer);
  const t0 = performance.now();
  const result = await m.policy.generate(prompt, {
    maxTokens,
    temperature: number('temperature', args.temperature!, false),
    seed: number('seed', args.seed!, true),
    stopIds: m.tokenizer.stopIds,
    onToken: args.json ? undefined : (id) => process.stdout.write(stream.push(id)),
  });
  const seconds = (performance.now() - t0) / 1000;
  const text = m.tokenizer.decode(result.ids, { skipSpecial: true });
  if (args.json) {
    const out = { model: m.name, prompt_ids: prompt, ids: result.ids, text, logprobs: result.logprobs, stopped: result.stopped, tokens_per_s: +(result.ids.length / seconds).toFixed(2) };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else process.stdout.write(stream.flush() + '\n');
}

async function score(m: LoadedModel): Promise<void> {
  if ((args.text === undefined) === (args.ids === undefined)) fail('score needs exactly one of --text "…" or --ids 1,2,3');
  const vocab = m.policy.config.vocabSize;
  const ids =
    args.ids !== undefined
      ? args.ids.split(',').map((s) => {
          const id = number('ids', s.trim(), true);
          if (id < 0 || id >= vocab) fail(`--ids: ${id} is outside the vocabulary 0..${vocab - 1}`);
          return id;
        })
      : m.tokenizer.encodeText(args.text!);
  if (ids.length === 0) fail('nothing to score: no ids');
  if (ids.length > m.policy.config.maxLen) fail(`${ids.length} ids exceed the model's ${m.policy.config.maxLen} positions`);
  const logprobs = tf.tidy(() => {
    const { logits } = m.policy.forward(tf.tensor2d([ids], [1, ids.length], 'int32'));
    const rows = tf.logSoftmax(tf.slice(logits, [0, 0], [ids.length - 1, vocab]));
    const picks = tf.oneHot(tf.tensor1d(ids.slice(1), 'int32'), vocab);
    return Array.from(tf.sum(tf.mul(rows, picks), 1).dataSync());
  });
  process.stdout.write(JSON.stringify({ ids, logprobs }) + (args.json ? '\n' : '\n'));
}

const command = positionals[0];
if (command !== 'generate' && command !== 'score') fail('usage: lm generate|score --model <folder|nextstate-tiny> … (see the header of scripts/lm.ts)');
if (!args.model) fail('--model <folder|nextstate-tiny> is required');
await tf.setBackend('wasm');
await tf.ready();
const model = await loadModel(args.model).catch((e: Error) => fail(e.message));
await (command === 'generate' ? generate(model) : score(model));
model.policy.dispose();
