/**
 * A diagnostic, not a benchmark: one bench:env run (`runEnvironmentExperiment`) in this process with every episode
 * printed as it ends: the task, each reply with its step-judge score, the policy version.
 * `npx tsx scripts/probe-env-run.ts <tool-use|terminal> <arm> <seed> <episodes> <near|heldout|corpus> [setting=value...]`
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../src/workers/policy-engine.ts';
import { SignalEngine } from '../src/workers/signal-engine.ts';
import { TrainerEngine } from '../src/workers/trainer-engine.ts';
import { ENVIRONMENT_SETTINGS, runEnvironmentExperiment } from '../src/experiments/index.ts';

await tf.setBackend('wasm'); await tf.ready();
const base = 'public/models/nextstate-tiny';
const initial = { bytes: new Uint8Array(readFileSync(`${base}.safetensors`)), manifest: JSON.parse(readFileSync(`${base}.json`, 'utf8')) };
const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
const [environment, arm, seed, episodes, tasks, ...sets] = process.argv.slice(2);
const over = Object.fromEntries(sets.map((kv) => { const [k, v] = kv.split('='); return [k, Number.isNaN(Number(v)) ? v : Number(v)]; }));
const r = await runEnvironmentExperiment(engines, initial, { environment: environment as 'tool-use', arm, seed: Number(seed), episodes: Number(episodes), tasks: tasks as 'near' },
  { base: { ...ENVIRONMENT_SETTINGS, ...over }, onEpisode: (e) => console.log(`${e.episode} ${e.success ? 'OK' : 'NO'} v${e.version} ${e.task} => ${e.replies.map((x, i) => `${x.replace(/\n/g, ' / ').slice(0, 90)} {${e.stepScores[i]}}`).join(' | ')}`) });
const s = r.episodes.map((e) => e.success);
const rate = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
console.log(`first10 ${rate(s.slice(0, 10))} last10 ${rate(s.slice(-10))} all ${rate(s)} updates ${r.updates} wall ${(r.wallMs / 1000).toFixed(0)}s`);
process.exit(0);
