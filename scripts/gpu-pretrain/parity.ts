/**
 * `npx tsx scripts/gpu-pretrain/parity.ts [--model public/models/nextstate-tiny] [--seed 7] [--python python3]`
 *
 * Parity of scripts/gpu-pretrain/model.py with the repo's tfjs graph (wasm backend, as pretrain.ts runs), on a
 * checkpoint and fresh random conversations of the world (a new --seed draws others):
 * (a) logits of single rows of odd lengths and of one right-padded batch of them;
 * (b) two training steps on one padded batch of whole conversations (reply loss, global-norm clip, Adam
 *     PRETRAIN_ADAM): step 1 at lr 1e-3 with clip 1.0, step 2 at lr 2e-3 with clip 0.01 (so the clip scales).
 * Writes tfjs's figures to a temporary folder, runs parity.py on them (CPU torch) and prints its max abs diffs
 * as JSON; exits 1 when one is over its tolerance. The interpreter is --python, else the first of python3 and
 * /usr/bin/python3 that imports torch. With `--fixture DIR` it only writes tfjs's figures to DIR (for
 * `python3 parity.py DIR --device cuda` on a machine without node, as .device/train/run.sh does).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '../../src/model/checkpoint.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { conversations } from '../../src/world/index.ts';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { Adam, PRETRAIN_ADAM } from '../../src/model/adam.ts';
import { padBatch, replyLoss, trainStep } from '../../src/model/reply-loss.ts';
import { encodeSafetensors, type NamedTensor } from '../../src/model/safetensors.ts';
import { weightSpecs } from '../../src/model/weights.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/nextstate-tiny' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    python: { type: 'string' },
    fixture: { type: 'string' },
  },
});

await tf.setBackend('wasm');
await tf.ready();
const seed = Number(args.seed);
const manifest = JSON.parse(readFileSync(`${args.model}.json`, 'utf8'));
const { policy } = await loadPolicy(new Uint8Array(readFileSync(`${args.model}.safetensors`)), manifest);
const tokenizer = defaultTokenizer();
const rng = createRng(seed);

const encoded: { ids: number[]; lossMask: number[] }[] = [];
for (const messages of conversations(seed, 'heldout')) {
  const e = tokenizer.encodeConversation(messages);
  if (e.ids.length <= policy.config.maxLen) encoded.push(e);
  if (encoded.length === 6) break;
}
// odd lengths, the longest at maxLen - 1 (odd for the even maxLen of the presets) when a row is that long
const rows = encoded.slice(0, 4).map((e, i) => {
  const cap = i === 0 ? policy.config.maxLen - 1 : e.ids.length;
  const wanted = i === 0 ? cap : 2 * (2 + randomInt(rng, Math.max(1, Math.floor(cap / 2) - 1))) - 1;
  const ids = e.ids.slice(0, wanted);
  // the first row runs to maxLen - 1: random ids after its conversation, if that is shorter
  while (ids.length < wanted) ids.push(7 + randomInt(rng, tokenizer.vocabSize - 7));
  return ids;
});

const tensors: NamedTensor[] = [];
rows.forEach((ids, i) => {
  const logits = tf.tidy(() => policy.logits(tf.tensor2d([ids], [1, ids.length], 'int32')));
  tensors.push({ name: `single.${i}`, shape: logits.shape.slice(), data: logits.dataSync() as Float32Array });
  logits.dispose();
});
const padded = padBatch(rows.map((ids) => ({ ids, lossMask: ids.map(() => 0) })), tokenizer.ids.pad);
const batchLogits = tf.tidy(() => policy.logits(tf.tensor2d(padded.ids, [padded.ids.length, padded.ids[0].length], 'int32')));
tensors.push({ name: 'batch', shape: batchLogits.shape.slice(), data: batchLogits.dataSync() as Float32Array });
batchLogits.dispose();

const trainBatch = padBatch(encoded, tokenizer.ids.pad);
// the gradient of the first step's loss on its own (Adam's first steps amplify float noise where a gradient is ~0)
const names = [...policy.variables.keys()];
const { value: gradLoss, grads } = tf.variableGrads(() => replyLoss(policy, trainBatch), names.map((n) => policy.variables.get(n)!));
names.forEach((n) => tensors.push({ name: `grad.${n}`, shape: policy.variables.get(n)!.shape.slice(), data: grads[policy.variables.get(n)!.name].dataSync() as Float32Array }));
gradLoss.dispose();
Object.values(grads).forEach((g) => g.dispose());
const adam = new Adam(policy.variables, PRETRAIN_ADAM);
const steps = [
  { lr: 1e-3, clip: 1.0, ...trainStep(policy, adam, trainBatch, 1e-3, 1.0) },
  { lr: 2e-3, clip: 0.01, ...trainStep(policy, adam, trainBatch, 2e-3, 0.01) },
];
const after = policy.getWeights();
for (const { name, shape } of weightSpecs(policy.config)) tensors.push({ name: `after.${name}`, shape, data: after[name] });

const dir = args.fixture ?? mkdtempSync(join(tmpdir(), 'gpu-parity-'));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'tfjs.safetensors'), encodeSafetensors(tensors));
writeFileSync(join(dir, 'tfjs.json'), JSON.stringify({ model: args.model, seed, rows, padded: padded.ids, trainBatch, steps }));
if (args.fixture) {
  console.log(`parity: tfjs figures written to ${dir}`);
  process.exit(0);
}

const script = join(dirname(fileURLToPath(import.meta.url)), 'parity.py');
const candidates = args.python ? [args.python] : ['python3', '/usr/bin/python3'];
const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.error(`parity: none of ${candidates.join(', ')} imports torch (apt-get install python3-torch)`);
  process.exit(2);
}
const run = spawnSync(python, [script, dir], { stdio: 'inherit', env: { OPENBLAS_NUM_THREADS: '1', ...process.env } });
rmSync(dir, { recursive: true, force: true });
process.exit(run.status ?? 1);
