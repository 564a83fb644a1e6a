/**
 * `npm run corpus:dump -- --tokens N [--seed S] [--split train] [--preset tiny] [--shares kind=w,...] --out FILE`
 *
 * `--shares` replaces the named kinds' weights (the others keep KIND_SHARES; weights are relative): a mix for
 * continuing a checkpoint on one kind, e.g. `--shares hinted-action=0.45`. The header records the weights used.
 *
 * Writes the world's conversation stream (src/world `conversations(seed, split)`), encoded by the built-in
 * tokenizer's encodeConversation and skipping any conversation longer than the preset's maxLen exactly as
 * scripts/pretrain.ts does, to a packed binary for trainers outside tfjs (scripts/gpu-pretrain/). Stops at the
 * first conversation that brings the total to at least N tokens.
 *
 * Format: scripts/lib/corpus-dump.ts (uint16 lengths, then uint8 tokens with the loss mask in bit 7).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTokenizer } from '../src/model/tokenizer.ts';
import { conversations, CORPUS_VERSION, KIND_SHARES, type ConversationKind, type Split } from '../src/world/index.ts';
import { presetConfig, type PresetName } from '../src/model/presets.ts';
import { encodeDump, LOSS_BIT } from './lib/corpus-dump.ts';

const { values: args } = parseArgs({
  options: {
    tokens: { type: 'string' },
    seed: { type: 'string', default: '1' },
    split: { type: 'string', default: 'train' },
    preset: { type: 'string', default: 'tiny' },
    out: { type: 'string' },
    shares: { type: 'string' },
  },
});

function fail(message: string): never {
  process.stderr.write(`corpus:dump: ${message}\n`);
  process.exit(2);
}

const target = Number(args.tokens);
const seed = Number(args.seed);
if (!Number.isInteger(target) || target <= 0) fail(`--tokens must be a positive integer, got "${args.tokens}"`);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got "${args.seed}"`);
if (args.split !== 'train' && args.split !== 'heldout') fail(`--split must be train or heldout, got "${args.split}"`);
if (!args.out) fail('--out FILE is required');
const shares: Record<ConversationKind, number> = { ...KIND_SHARES };
for (const item of args.shares ? args.shares.split(',') : []) {
  const [kind, weight] = item.split('=');
  if (!Object.hasOwn(KIND_SHARES, kind)) fail(`--shares: no conversation kind "${kind}" (kinds: ${Object.keys(KIND_SHARES).join(', ')})`);
  if (!(Number(weight) >= 0)) fail(`--shares: the weight of ${kind} must be a number >= 0, got "${weight}"`);
  shares[kind as ConversationKind] = Number(weight);
}

const tokenizer = defaultTokenizer();
if (tokenizer.vocabSize > LOSS_BIT) fail(`vocabulary of ${tokenizer.vocabSize} ids does not leave bit 7 free`);
const config = presetConfig(args.preset as PresetName, tokenizer.vocabSize);
if (config.maxLen > 0xffff) fail(`maxLen ${config.maxLen} does not fit a uint16 length`);

const started = performance.now();
const tokens = new Uint8Array(target + config.maxLen);
const lengths: number[] = [];
let total = 0;
let skipped = 0;
for (const messages of conversations(seed, args.split as Split, shares)) {
  const { ids, lossMask } = tokenizer.encodeConversation(messages);
  if (ids.length > config.maxLen) {
    skipped++;
    continue;
  }
  for (let i = 0; i < ids.length; i++) tokens[total + i] = ids[i] | (lossMask[i] ? LOSS_BIT : 0);
  total += ids.length;
  lengths.push(ids.length);
  if (total >= target) break;
}
const seconds = (performance.now() - started) / 1000;

const out = encodeDump(
  {
    corpusVersion: CORPUS_VERSION,
    split: args.split!,
    seed,
    preset: args.preset!,
    vocabSize: tokenizer.vocabSize,
    maxLen: config.maxLen,
    conversations: lengths.length,
    tokens: total,
    skipped,
    lossBit: LOSS_BIT,
    ...(args.shares ? { kindShares: shares } : {}),
  },
  lengths,
  tokens.subarray(0, total),
);
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, out);
console.log(
  JSON.stringify({
    out: args.out,
    corpusVersion: CORPUS_VERSION,
    seed,
    conversations: lengths.length,
    tokens: total,
    skipped,
    bytes: out.length,
    seconds: Number(seconds.toFixed(2)),
    tokensPerSecond: Math.round(total / seconds),
  }),
);
