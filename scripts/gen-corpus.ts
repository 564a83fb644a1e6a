/**
 * Writes conversations of the world as JSONL and prints statistics as JSON.
 * Usage: npm run gen:corpus -- --n 2000 --seed 1 --split train --out .cache/corpus.jsonl
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTokenizer } from '../src/model/tokenizer.ts';
import {
  CORPUS_VERSION, labelledConversations, STYLE_IDS, styleOf, type ConversationKind, type Split,
} from '../src/world/index.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    split: { type: 'string', default: 'train' },
    out: { type: 'string' },
  },
});
const n = Number(values.n);
const seed = Number(values.seed);
const split = values.split as Split;
if (split !== 'train' && split !== 'heldout') throw new Error('--split is train or heldout');

const tokenizer = defaultTokenizer();
const byKind: Partial<Record<ConversationKind, number>> = {};
const plainOn = Object.fromEntries(STYLE_IDS.map((d) => [d, 0])) as Record<string, number>;
let plainReplies = 0;
let tokens = 0;
let maxTokens = 0;
let replyTokens = 0;
let maxReplyTokens = 0;
const lines: string[] = [];
const started = performance.now();

let i = 0;
for (const { kind, messages } of labelledConversations(seed, split)) {
  if (i++ >= n) break;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  const { ids, lossMask } = tokenizer.encodeConversation(messages);
  tokens += ids.length;
  replyTokens += lossMask.reduce((a, b) => a + b, 0);
  maxTokens = Math.max(maxTokens, ids.length);
  for (const m of messages) {
    if (m.role === 'assistant') maxReplyTokens = Math.max(maxReplyTokens, tokenizer.encodeText(m.content).length + 1);
  }
  if (kind === 'plain') {
    const shown = styleOf(messages[messages.length - 1].content);
    for (const d of STYLE_IDS) plainOn[d] += shown[d] ? 1 : 0;
    plainReplies++;
  }
  if (values.out) lines.push(JSON.stringify({ kind, messages }));
}

if (values.out) {
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, lines.join('\n') + '\n');
}

console.log(JSON.stringify({
  corpus_version: CORPUS_VERSION,
  split,
  seed,
  conversations: n,
  by_kind: byKind,
  vocab_size: tokenizer.vocabSize,
  mean_tokens: +(tokens / n).toFixed(1),
  max_tokens: maxTokens,
  mean_loss_tokens: +(replyTokens / n).toFixed(1),
  max_reply_tokens: maxReplyTokens,
  plain_on_rate: Object.fromEntries(STYLE_IDS.map((d) => [d, +(plainOn[d] / Math.max(1, plainReplies)).toFixed(3)])),
  conversations_per_s: Math.round(n / ((performance.now() - started) / 1000)),
  out: values.out ?? null,
}, null, 2));
