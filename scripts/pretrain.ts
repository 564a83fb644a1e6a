/**
 * `npm run pretrain -- [--preset tiny] [--minutes 45] [--max-wall-minutes 80] [--resume | --from <checkpoint>] [--lr 2e-3]
 *   [--batch-tokens 2048] [--out <path>]`
 *
 * Pretrains the policy on the world's conversations with tfjs `wasm` in Node: loss on reply tokens only,
 * batches bucketed by length, Adam (0.9, 0.95), linear warm-up then cosine decay over the time budget,
 * gradient clip 1.0. The budget is minutes of this process's CPU time (other work on a shared machine does not
 * shorten the training), capped by --max-wall-minutes of wall time; the cosine follows whichever runs out first. Prints step, loss and tokens/s; saves a resumable checkpoint every few minutes to
 * .cache/pretrain/ and the final one to public/models/nextstate-<preset>.{safetensors,json} (or --out).
 * `--from <checkpoint>` (path without extension) continues pretraining from that checkpoint's weights, e.g. the
 * shipped one on a new corpus version, with a fresh optimizer and a fresh schedule; tokens seen keep counting.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultTokenizer } from '../src/model/tokenizer.ts';
import { conversations, CORPUS_VERSION } from '../src/world/index.ts';
import { Policy } from '../src/model/policy.ts';
import { presetConfig, type PresetName } from '../src/model/presets.ts';
import { Adam, PRETRAIN_ADAM } from '../src/model/adam.ts';
import { padBatch, replyLoss, trainStep, learningRate, type TokenBatch } from '../src/model/reply-loss.ts';
import { encodeCheckpoint, decodeCheckpoint, type TrainingProgress } from '../src/model/checkpoint.ts';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'tiny' },
    minutes: { type: 'string', default: '45' },
    'max-wall-minutes': { type: 'string', default: '80' },
    resume: { type: 'boolean', default: false },
    from: { type: 'string' },
    lr: { type: 'string', default: '2e-3' },
    'batch-tokens': { type: 'string', default: '2048' },
    'warmup-steps': { type: 'string', default: '100' },
    'save-minutes': { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});

const preset = args.preset as PresetName;
const budgetSeconds = Number(args.minutes) * 60;
const wallBudgetSeconds = Number(args['max-wall-minutes']) * 60;
const peakLr = Number(args.lr);
const batchTokens = Number(args['batch-tokens']);
const warmupSteps = Number(args['warmup-steps']);
const saveEverySeconds = Number(args['save-minutes']) * 60;
const seed = Number(args.seed);
const finalPath = args.out ?? `public/models/nextstate-${preset}`;
const resumePath = `.cache/pretrain/nextstate-${preset}-resume`;
const POOL_BATCHES = 32; // conversations are bucketed by length within a pool of this many batches

await tf.setBackend('wasm');
await tf.ready();
const tokenizer = defaultTokenizer();
const config = presetConfig(preset, tokenizer.vocabSize);

interface Encoded {
  ids: number[];
  lossMask: number[];
}

function encode(messages: Parameters<typeof tokenizer.encodeConversation>[0]): Encoded | undefined {
  const { ids, lossMask } = tokenizer.encodeConversation(messages);
  return ids.length <= config.maxLen ? { ids: Array.from(ids), lossMask: Array.from(lossMask) } : undefined;
}

/** Batches of similar length, each holding about `batchTokens` tokens, in a shuffled order. */
function* bucketedBatches(stream: Iterator<Encoded>, rng: () => number): Generator<TokenBatch & { tokens: number }> {
  for (;;) {
    const pool: Encoded[] = [];
    let tokens = 0;
    while (tokens < POOL_BATCHES * batchTokens) {
      const next = stream.next();
      if (next.done) break;
      pool.push(next.value);
      tokens += next.value.ids.length;
    }
    if (pool.length === 0) return;
    pool.sort((a, b) => a.ids.length - b.ids.length);
    const batches: Encoded[][] = [];
    let current: Encoded[] = [];
    for (const row of pool) {
      if (current.length && (current.length + 1) * row.ids.length > batchTokens) {
        batches.push(current);
        current = [];
      }
      current.push(row);
    }
    if (current.length) batches.push(current);
    for (let i = batches.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [batches[i], batches[j]] = [batches[j], batches[i]];
    }
    for (const rows of batches) {
      yield { ...padBatch(rows, tokenizer.ids.pad), tokens: rows.reduce((n, r) => n + r.ids.length, 0) };
    }
  }
}

/** Train conversations as an endless stream, skipping the first `skip` (so a resumed run sees new ones). */
function* trainStream(skip: number): Generator<Encoded> {
  let consumed = 0;
  for (let epoch = 0; ; epoch++) {
    for (const messages of conversations(seed + epoch * 7919, 'train')) {
      if (consumed++ < skip) continue;
      conversationsSeen = consumed;
      const e = encode(messages);
      if (e) yield e;
    }
  }
}

function heldoutBatches(): TokenBatch[] {
  const rows: Encoded[] = [];
  for (const messages of conversations(seed, 'heldout')) {
    const e = encode(messages);
    if (e) rows.push(e);
    if (rows.length >= 96) break;
  }
  rows.sort((a, b) => a.ids.length - b.ids.length);
  const out: TokenBatch[] = [];
  for (let i = 0; i < rows.length; i += 16) out.push(padBatch(rows.slice(i, i + 16), tokenizer.ids.pad));
  return out;
}

function heldoutLoss(batches: TokenBatch[]): number {
  let sum = 0;
  let weight = 0;
  for (const b of batches) {
    const w = b.lossMask.reduce((n, r) => n + r.slice(1).reduce((a, x) => a + x, 0), 0);
    const loss = replyLoss(policy, b);
    sum += loss.dataSync()[0] * w;
    weight += w;
    loss.dispose();
  }
  return sum / weight;
}

function writeCheckpoint(path: string, bytes: Uint8Array, manifest: object): void {
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  // write then rename, so an interrupted save never leaves a half-written checkpoint
  writeFileSync(`${path}.safetensors.tmp`, bytes);
  writeFileSync(`${path}.json.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(`${path}.safetensors.tmp`, `${path}.safetensors`);
  renameSync(`${path}.json.tmp`, `${path}.json`);
}

let conversationsSeen = 0;
let step = 0;
let tokensSeen = 0;
let trainSeconds = 0;
let policy: Policy;
let adam: Adam;
let lastLoss = NaN;

if (args.resume && existsSync(`${resumePath}.json`)) {
  const decoded = await decodeCheckpoint(
    new Uint8Array(readFileSync(`${resumePath}.safetensors`)),
    JSON.parse(readFileSync(`${resumePath}.json`, 'utf8')),
    config,
  );
  policy = new Policy(config, decoded.weights);
  adam = new Adam(policy.variables, PRETRAIN_ADAM);
  const progress = decoded.manifest.training!;
  adam.setState(decoded.optimizerState, progress.step);
  step = progress.step;
  tokensSeen = decoded.manifest.tokensSeen;
  trainSeconds = Number(progress.trainSeconds);
  conversationsSeen = Number(progress.conversationsSeen);
  lastLoss = decoded.manifest.finalLoss ?? NaN;
  console.log(`resumed ${resumePath} at step ${step}, ${(trainSeconds / 60).toFixed(1)} min trained, ${tokensSeen} tokens seen`);
} else if (args.from) {
  const decoded = await decodeCheckpoint(
    new Uint8Array(readFileSync(`${args.from}.safetensors`)),
    JSON.parse(readFileSync(`${args.from}.json`, 'utf8')),
    config,
  );
  policy = new Policy(config, decoded.weights);
  adam = new Adam(policy.variables, PRETRAIN_ADAM);
  tokensSeen = decoded.manifest.tokensSeen;
  console.log(`continuing from ${args.from} (corpus ${decoded.manifest.corpusVersion}, ${tokensSeen} tokens seen) with a fresh optimizer`);
} else {
  if (args.resume) console.log(`no resumable checkpoint at ${resumePath}: starting fresh`);
  policy = Policy.create(config, seed);
  adam = new Adam(policy.variables, PRETRAIN_ADAM);
}

console.log(
  `pretrain preset=${preset} params=${policy.parameterCount} vocab=${config.vocabSize} corpus=${CORPUS_VERSION} ` +
    `budget=${args.minutes} cpu-min (wall cap ${args['max-wall-minutes']} min) lr=${peakLr} batchTokens=${batchTokens} backend=${tf.getBackend()}`,
);

const heldout = heldoutBatches();
let shuffleState = seed + step;
const batches = bucketedBatches(trainStream(conversationsSeen), () => {
  shuffleState = (shuffleState * 1103515245 + 12345) % 2147483648;
  return shuffleState / 2147483648;
});

async function save(path: string, withOptimizer: boolean): Promise<void> {
  const training: TrainingProgress = { step, trainSeconds, conversationsSeen, peakLr, batchTokens, budgetSeconds };
  const { bytes, manifest } = await encodeCheckpoint(
    policy.getWeights(),
    {
      preset,
      config,
      tokenizer: tokenizer.toJSON(),
      corpusVersion: CORPUS_VERSION,
      tokensSeen,
      finalLoss: Number.isFinite(lastLoss) ? lastLoss : null,
      training,
    },
    withOptimizer ? adam.getState() : {},
  );
  writeCheckpoint(path, bytes, manifest);
  console.log(`saved ${path}.safetensors (${(bytes.length / 1e6).toFixed(2)} MB)`);
}

/** Seconds of CPU this process has used (wasm runs on one thread, so at most one per wall second). */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const cpuAtStart = cpuSeconds();
let wallSeconds = 0;

let windowStart = performance.now();
let windowTokens = 0;
let windowLoss = 0;
let windowSteps = 0;
let lastSave = trainSeconds;
let segmentStart = performance.now();
const secondsAtStart = trainSeconds;
const tokensAtStart = tokensSeen;
const logEvery = 20;

while (trainSeconds < budgetSeconds && wallSeconds < wallBudgetSeconds) {
  const batch = batches.next().value!;
  const progress = Math.max(trainSeconds / budgetSeconds, wallSeconds / wallBudgetSeconds);
  const lr = learningRate(step, peakLr, warmupSteps, progress); // cosine over the time budget
  const { loss, gradNorm } = trainStep(policy, adam, batch, lr, 1.0);
  if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${step}`);
  step++;
  tokensSeen += batch.tokens;
  windowTokens += batch.tokens;
  windowLoss += loss;
  windowSteps++;
  trainSeconds = secondsAtStart + cpuSeconds() - cpuAtStart;
  wallSeconds = (performance.now() - segmentStart) / 1000;
  if (step % logEvery === 0) {
    const seconds = (performance.now() - windowStart) / 1000;
    lastLoss = windowLoss / windowSteps;
    console.log(
      `step ${step} | loss ${lastLoss.toFixed(4)} | grad ${gradNorm.toFixed(2)} | lr ${lr.toExponential(2)} | ` +
        `tokens/s ${(windowTokens / seconds).toFixed(0)} | tokens ${tokensSeen} | cpu ${(trainSeconds / 60).toFixed(1)}/${args.minutes} min | ` +
        `wall ${(wallSeconds / 60).toFixed(1)}/${args['max-wall-minutes']} min`,
    );
    windowStart = performance.now();
    windowTokens = 0;
    windowLoss = 0;
    windowSteps = 0;
  }
  if (trainSeconds - lastSave >= saveEverySeconds) {
    console.log(`heldout_loss ${heldoutLoss(heldout).toFixed(4)} at step ${step}`);
    await save(resumePath, true);
    lastSave = trainSeconds;
  }
}

if (windowSteps) lastLoss = windowLoss / windowSteps;
const finalHeldout = heldoutLoss(heldout);
console.log(`done: step ${step}, tokens ${tokensSeen} (${tokensSeen - tokensAtStart} this run), train loss ${lastLoss.toFixed(4)}, heldout_loss ${finalHeldout.toFixed(4)}`);
await save(resumePath, true);
await save(finalPath, false);
