import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { validateSettings } from './src/rl/settings.ts';
import { builtinJudgeBackend } from './src/rl/judge/builtin/index.ts';
import { PolicyEngine } from './src/workers/policy-engine.ts';
import { SignalEngine } from './src/workers/signal-engine.ts';
import { TrainerEngine } from './src/workers/trainer-engine.ts';
await tf.setBackend('wasm');
const initial = { bytes: new Uint8Array(readFileSync('public/models/nextstate-tiny.safetensors')), manifest: JSON.parse(readFileSync('public/models/nextstate-tiny.json', 'utf8')) };
const settings = validateSettings({ batchSize: 4, maxTokens: 48 });
const policy = new PolicyEngine(); const signal = new SignalEngine(builtinJudgeBackend); const trainer = new TrainerEngine();
await Promise.all([policy.init('wasm'), signal.init('wasm'), trainer.init('wasm')]);
await policy.load(initial, 0); await signal.load(initial, null); await trainer.load(initial, null, 0);
const turns = [['What is the capital of Peru?', 'why is it in capitals? use lowercase'], ['What is 7 times 8?', 'no, that is wrong'], ['Describe a cat.', 'can you put that as a bulleted list?'], ['What is 12 plus 9?', 'too long, just one sentence please']];
const samples = [];
let t = performance.now();
for (const [i, [q, c]] of turns.entries()) {
  const r = await policy.reply({ sessionId: 's', messages: [{ role: 'user', content: q }], sampling: { temperature: 0.6, topP: 1, maxTokens: 48, seed: 100 + i } });
  const t1 = performance.now();
  const out = await signal.process({ sessionId: 's', turn: i + 1, kind: 'personal', messages: r.contextMessages, reply: r.text, nextState: { role: 'user', content: c }, promptIds: r.promptIds, responseIds: r.responseIds, responseLogprobs: r.responseLogprobs, policyVersion: 0 }, settings);
  console.log('reply', (t1 - t).toFixed(0), 'signal', (performance.now() - t1).toFixed(0), out.timings, out.sample?.case, r.responseIds.length, r.promptIds.length);
  if (out.sample) samples.push(out.sample);
  t = performance.now();
}
for (let v = 1; v <= 4; v++) {
  const t0 = performance.now();
  const res = await trainer.update(samples, settings, v);
  const t1 = performance.now();
  await signal.publish({ version: v, weights: res.weights }); await policy.publish({ version: v, weights: res.weights });
  console.log('update', (t1 - t0).toFixed(0), 'backward', res.metrics.backwardMs.toFixed(0), 'sync', res.metrics.syncMs.toFixed(0), 'publish', (performance.now() - t1).toFixed(0));
}
