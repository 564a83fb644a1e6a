/**
 * `npx tsx scripts/gpu-pretrain/to-checkpoint.ts --run OUTDIR [--init public/models/nextstate-tiny]
 *   [--out public/models/nextstate-tiny] [--heldout heldout.bin] [--allow-partial]`
 *
 * Turns what scripts/gpu-pretrain/pretrain.py wrote (OUTDIR/weights.safetensors + OUTDIR/progress.json) into a
 * checkpoint of the one format, through encodeCheckpoint: the config, preset and tokenizer of --init (the
 * checkpoint the run started from, which must be the one the run names: same tokensSeen), corpusVersion of the
 * run's corpus, tokensSeen = the start's + the run's, finalLoss the run's last logged train loss, and `training`
 * saying which script, device and settings trained it. The result is loaded back (loadPolicy) before it is kept.
 * Writes --out.{safetensors,json} (default public/models/nextstate-tiny). With --heldout (a corpus:dump file) it also prints the
 * reply loss of --init and of the new checkpoint on it by the repo's tfjs graph (wasm), next to the run's own.
 * --allow-partial converts a periodic save (a run cut off before its end; its weights and counts agree). No optimizer state: a later run starts from the weights
 * with a fresh optimizer, as pretrain.ts --from does (OUTDIR/optimizer.safetensors keeps the moments, unused).
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCheckpoint, loadPolicy, parseManifest, type TrainingProgress } from '../../src/model/checkpoint.ts';
import { decodeSafetensors } from '../../src/model/safetensors.ts';
import { weightSpecs } from '../../src/model/weights.ts';
import { padBatch, replyLoss } from '../../src/model/reply-loss.ts';
import type { Policy } from '../../src/model/policy.ts';
import { decodeDump } from '../lib/corpus-dump.ts';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    init: { type: 'string', default: 'public/models/nextstate-tiny' },
    out: { type: 'string' },
    heldout: { type: 'string' },
    'allow-partial': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`to-checkpoint: ${message}\n`);
  process.exit(2);
}

if (!args.run) fail('--run OUTDIR (the folder pretrain.py wrote) is required');
const out = args.out ?? 'public/models/nextstate-tiny';
const init = parseManifest(JSON.parse(readFileSync(`${args.init}.json`, 'utf8')));
const progress = JSON.parse(readFileSync(join(args.run, 'progress.json'), 'utf8')) as Record<string, unknown>;
const own = (key: string) => (Object.prototype.hasOwnProperty.call(progress, key) ? progress[key] : undefined);
if (own('final') !== true && !args['allow-partial']) {
  fail(`${args.run}/progress.json is a periodic save, not the end of the run (pass --allow-partial to convert it anyway)`);
}
const tokens = own('tokens');
if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 0) fail(`progress.json tokens is ${String(tokens)}`);
if (own('initTokensSeen') !== init.tokensSeen) {
  fail(`the run started from a checkpoint with ${String(own('initTokensSeen'))} tokens seen, --init ${args.init} has ${init.tokensSeen}: pass the checkpoint it started from`);
}
const corpusVersion = own('corpusVersion');
if (typeof corpusVersion !== 'string') fail('progress.json has no corpusVersion');

const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(args.run, 'weights.safetensors'))));
const weights: Record<string, Float32Array> = {};
for (const { name, shape } of weightSpecs(init.config)) {
  const t = tensors.get(name);
  if (!t || t.shape.join() !== shape.join()) fail(`weights.safetensors: "${name}" is ${t ? `[${t.shape}]` : 'missing'}, the config needs [${shape}]`);
  if (!t.data.every(Number.isFinite)) fail(`weights.safetensors: "${name}" holds a non-finite value`);
  weights[name] = t.data;
  tensors.delete(name);
}
if (tensors.size) fail(`weights.safetensors has unexpected tensors: ${[...tensors.keys()].join(', ')}`);

const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => own(k) !== undefined).map((k) => [k, own(k)]));
const training: TrainingProgress = {
  step: Number(own('steps')),
  ...pick(['trainer', 'trainSeconds', 'tokens', 'epochs', 'peakLr', 'warmupSteps', 'batchTokens', 'clip', 'budgetMinutes',
    'adam', 'device', 'gpu', 'torch', 'attention', 'seed', 'corpusFiles', 'corpusTokens', 'heldoutLossStart', 'heldoutLoss']),
  from: { corpusVersion: init.corpusVersion, tokensSeen: init.tokensSeen, sha256: init.sha256 },
};
const finalLoss = own('finalLoss');
const { bytes, manifest } = await encodeCheckpoint(weights, {
  preset: init.preset,
  config: init.config,
  tokenizer: init.tokenizer,
  corpusVersion,
  tokensSeen: init.tokensSeen + tokens,
  finalLoss: typeof finalLoss === 'number' && Number.isFinite(finalLoss) ? finalLoss : null,
  training,
});
await tf.setBackend('wasm');
await tf.ready();
const { policy } = await loadPolicy(bytes, manifest, init.config); // what the repo will load must load
let heldout: Record<string, unknown> | undefined;
if (args.heldout) {
  const { rows } = decodeDump(new Uint8Array(readFileSync(args.heldout)));
  const before = await loadPolicy(new Uint8Array(readFileSync(`${args.init}.safetensors`)), init);
  heldout = { file: args.heldout, tfjsInit: meanReplyLoss(before.policy, rows), tfjsNew: meanReplyLoss(policy, rows), runStart: own('heldoutLossStart'), runEnd: own('heldoutLoss') };
  before.policy.dispose();
}
policy.dispose();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.safetensors.tmp`, bytes);
writeFileSync(`${out}.json.tmp`, JSON.stringify(manifest, null, 2) + '\n');
renameSync(`${out}.safetensors.tmp`, `${out}.safetensors`);
renameSync(`${out}.json.tmp`, `${out}.json`);
console.log(JSON.stringify({ out, corpusVersion, tokensSeen: manifest.tokensSeen, runTokens: tokens, steps: training.step, finalLoss: manifest.finalLoss, bytes: bytes.length, heldout }));

/** Mean reply loss over every reply token of `rows` (batches of 16 rows of similar length), as pretrain.ts's heldout loss. */
function meanReplyLoss(p: Policy, rows: { ids: number[]; lossMask: number[] }[]): number {
  const sorted = [...rows].sort((a, b) => a.ids.length - b.ids.length);
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < sorted.length; i += 16) {
    const batch = padBatch(sorted.slice(i, i + 16), 0);
    const w = batch.lossMask.reduce((n, r) => n + r.slice(1).reduce((a, x) => a + x, 0), 0);
    const loss = replyLoss(p, batch);
    sum += loss.dataSync()[0] * w;
    weight += w;
    loss.dispose();
  }
  return sum / Math.max(weight, 1);
}
