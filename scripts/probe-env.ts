/**
 * A probe, not a benchmark: the base policy's success per candidate task kind, without updates, through the same
 * loop and episode driver as bench:env (how the 'near' task sets were chosen; src/world/environments/README.md).
 * `npx tsx scripts/probe-env.ts <kind,...> <episodes> [seed]` prints per kind the episodes solved, seconds per
 * episode and four episodes' steps. Run one kind per process for long probes (the wasm heap grows over hundreds of
 * episodes in one process).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../src/workers/policy-engine.ts';
import { SignalEngine } from '../src/workers/signal-engine.ts';
import { TrainerEngine } from '../src/workers/trainer-engine.ts';
import { validateSettings } from '../src/rl/settings.ts';
import { MemoryStore } from '../src/store/index.ts';
import { OnlineLoop } from '../src/workers/online-loop.ts';
import { runEpisode } from '../src/workers/environment-episode.ts';
import { ENVIRONMENT_SETTINGS } from '../src/experiments/index.ts';
import { armById, armSettings } from '../src/experiments/arms.ts';
import { seededPolicy } from '../src/experiments/run.ts';
import { createRng, pick, randomInt, type Rng } from '../src/model/rng.ts';
import { TOOL_USE, TERMINAL, type EnvironmentTask } from '../src/world/environments/index.ts';
import { arithmeticTask, between } from '../src/world/environments/tool-use.ts';

const PRODUCT = [(a: number, b: number) => `What is ${a} x ${b}?`, (a: number, b: number) => `What's ${a} times ${b}?`,
  (a: number, b: number) => `Can you multiply ${a} by ${b}?`, (a: number, b: number) => `Calculate ${a} * ${b}.`];
const SUM = [(a: number, b: number) => `What is ${a} + ${b}?`, (a: number, b: number) => `What's ${a} plus ${b}?`, (a: number, b: number) => `Can you add ${a} and ${b}?`];
const DIFF = [(a: number, b: number) => `What is ${a} - ${b}?`, (a: number, b: number) => `What's ${a} minus ${b}?`];
const tool = arithmeticTask;
function logLines(rng: Rng, word: string, others: string[]): { text: string; n: number } {
  const k = 4 + randomInt(rng, 7); const forced = randomInt(rng, k); let n = 0;
  const lines = Array.from({ length: k }, (_, i) => { const hit = i === forced || rng() < 0.3; if (hit) n++; return `${String(i + 1).padStart(2, '0')}:00 ${hit ? `${word}: ${pick(rng, ['disk full', 'bad request', 'crashed'])}` : pick(rng, others)}`; });
  return { text: `${lines.join('\n')}\n`, n };
}
const OK = ['started worker', 'request served', 'cache warmed', 'user logged in'];
const term = (kind: string, prompt: string, expected: string, files: Record<string, string>, dirs: string[] = []) =>
  ({ id: `${kind}`, environment: 'terminal', kind, prompt, expected, correction: `The answer is ${expected}.`, files, dirs }) as EnvironmentTask;
const CANDIDATES: Record<string, [typeof TOOL_USE, (rng: Rng) => EnvironmentTask]> = {
  'product-21-40x3-9': [TOOL_USE, (r) => { const a = between(r, [21, 40]), b = between(r, [3, 9]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'product-21-40x3-19': [TOOL_USE, (r) => { const a = between(r, [21, 40]), b = between(r, [3, 19]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'product-21-40x21-40': [TOOL_USE, (r) => { const a = between(r, [21, 40]), b = between(r, [21, 40]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'sum-21-99': [TOOL_USE, (r) => { const a = between(r, [21, 99]), b = between(r, [21, 99]); return tool('sum', a, b, pick(r, SUM)(a, b)); }],
  'difference-21-99': [TOOL_USE, (r) => { const x = between(r, [21, 99]), y = between(r, [21, 98]); const [a, b] = x === y ? [x + 1, y] : [Math.max(x, y), Math.min(x, y)]; return tool('difference', a, b, pick(r, DIFF)(a, b)); }],
  'count-errors-server': [TERMINAL, (r) => { const l = logLines(r, 'error', OK); return term('count-errors', 'How many lines mention error in server.log?', String(l.n), { 'server.log': l.text, 'README.md': 'notes\n' }); }],
  'count-errors-phrase': [TERMINAL, (r) => { const l = logLines(r, 'error', OK); return term('count-errors', 'How many lines of app.log mention error?', String(l.n), { 'app.log': l.text, 'README.md': 'notes\n' }); }],
  'count-timeout': [TERMINAL, (r) => { const l = logLines(r, 'timeout', OK); return term('count-errors', 'How many lines mention timeout in app.log?', String(l.n), { 'app.log': l.text, 'README.md': 'notes\n' }); }],
  'count-files-data': [TERMINAL, (r) => { const k = 1 + randomInt(r, 5); const f = Object.fromEntries(Array.from({ length: k }, (_, i) => [`data/f${i}.csv`, 'x\n'])); return term('count-files', 'How many files are in data/?', String(k), { ...f, 'app.log': 'ok\n' }, ['data']); }],
  'write-file-new': [TERMINAL, (r) => { const n = pick(r, ['report', 'summary', 'status', 'memo']); const w = pick(r, ['approved', 'all good', 'on hold', 'tested']); return term('write-file', `Create a file ${n}.txt that says ${w}.`, `${n}.txt: ${w}`, { 'app.log': 'ok\n' }); }],
  'product-13-20x20-29': [TOOL_USE, (r) => { const a = between(r, [13, 20]), b = between(r, [20, 29]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'product-corpus-newphrase': [TOOL_USE, (r) => { const a = between(r, [13, 20]), b = between(r, [3, 19]); return tool('product', a, b, pick(r, [(a: number, b: number) => `Please work out ${a} multiplied by ${b}.`, (a: number, b: number) => `I need the product of ${a} and ${b}.`, (a: number, b: number) => `How much is ${a} times ${b}, exactly?`])(a, b)); }],
  'sum-21-29x3-9': [TOOL_USE, (r) => { const a = between(r, [21, 29]), b = between(r, [3, 9]); return tool('sum', a, b, pick(r, SUM)(a, b)); }],
  'product-100-199x2-9': [TOOL_USE, (r) => { const a = between(r, [100, 199]), b = between(r, [2, 9]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'count-errors-logsdir': [TERMINAL, (r) => { const l = logLines(r, 'error', OK); return term('count-errors', 'How many lines mention error in logs/app.log?', String(l.n), { 'logs/app.log': l.text, 'README.md': 'notes\n' }, ['logs']); }],
  'write-file-notes': [TERMINAL, (r) => { const n = pick(r, ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan']); const w = pick(r, ['hello', 'done', 'ready', 'ship it']); return term('write-file', `Create a file notes/${n}.txt that says ${w}.`, `notes/${n}.txt: ${w}`, { 'app.log': 'ok\n' }, ['notes']); }],
  'count-files-log': [TERMINAL, (r) => { const k = 1 + randomInt(r, 5); const f = Object.fromEntries(Array.from({ length: k }, (_, i) => [`log/f${i}.log`, 'x\n'])); return term('count-files', 'How many files are in log/?', String(k), { ...f, 'app.log': 'ok\n' }, ['log']); }],
  'difference-21-29x3-9': [TOOL_USE, (r) => { const a = between(r, [21, 29]), b = between(r, [3, 9]); return tool('difference', a, b, pick(r, DIFF)(a, b)); }],
  'sum-3-9x21-29': [TOOL_USE, (r) => { const a = between(r, [3, 9]), b = between(r, [21, 29]); return tool('sum', a, b, pick(r, SUM)(a, b)); }],
  'sum-21-29x10-19': [TOOL_USE, (r) => { const a = between(r, [21, 29]), b = between(r, [10, 19]); return tool('sum', a, b, pick(r, SUM)(a, b)); }],
  'product-21-25x2-9': [TOOL_USE, (r) => { const a = between(r, [21, 25]), b = between(r, [2, 9]); return tool('product', a, b, pick(r, PRODUCT)(a, b)); }],
  'count-errors-apptxt': [TERMINAL, (r) => { const l = logLines(r, 'error', OK); return term('count-errors', 'How many lines mention error in app.txt?', String(l.n), { 'app.txt': l.text, 'README.md': 'notes\n' }); }],
  'count-files-Logs': [TERMINAL, (r) => { const k = 1 + randomInt(r, 5); const f = Object.fromEntries(Array.from({ length: k }, (_, i) => [`Logs/f${i}.log`, 'x\n'])); return term('count-files', 'How many files are in Logs/?', String(k), { ...f, 'app.log': 'ok\n' }, ['Logs']); }],
  'write-file-newword': [TERMINAL, (r) => { const n = pick(r, ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan']); const w = pick(r, ['approved', 'all good', 'on hold', 'tested']); return term('write-file', `Create a file ${n}.txt that says ${w}.`, `${n}.txt: ${w}`, { 'app.log': 'ok\n' }); }],
  'write-file-newname': [TERMINAL, (r) => { const n = pick(r, ['report', 'summary', 'status', 'memo']); const w = pick(r, ['hello', 'done', 'ready', 'ship it']); return term('write-file', `Create a file ${n}.txt that says ${w}.`, `${n}.txt: ${w}`, { 'app.log': 'ok\n' }); }],
  'sum-small-newphrase': [TOOL_USE, (r) => { const a = between(r, [2, 20]), b = between(r, [2, 20]); return tool('sum', a, b, pick(r, [(a: number, b: number) => `Please add ${a} and ${b}.`, (a: number, b: number) => `What do ${a} and ${b} add up to?`, (a: number, b: number) => `I need the sum of ${a} and ${b}.`])(a, b)); }],
  'difference-small-newphrase': [TOOL_USE, (r) => { const x = between(r, [2, 20]), y = between(r, [1, 19]); const [a, b] = x === y ? [x + 1, y] : [Math.max(x, y), Math.min(x, y)]; return tool('difference', a, b, pick(r, [(a: number, b: number) => `Please subtract ${b} from ${a}.`, (a: number, b: number) => `How much is left when you take ${b} away from ${a}?`, (a: number, b: number) => `What remains if ${b} is taken from ${a}?`])(a, b)); }],
  'product-small-newphrase': [TOOL_USE, (r) => { const a = between(r, [2, 12]), b = between(r, [2, 12]); return tool('product', a, b, pick(r, [(a: number, b: number) => `Please work out ${a} multiplied by ${b}.`, (a: number, b: number) => `I need the product of ${a} and ${b}.`, (a: number, b: number) => `How much is ${a} times ${b}, exactly?`])(a, b)); }],
  'wf-md': [TERMINAL, (r) => { const n = pick(r, ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan']); const w = pick(r, ['hello', 'done', 'ready', 'ship it']); return term('write-file', `Create a file ${n}.md that says ${w}.`, `${n}.md: ${w}`, { 'app.log': 'ok\n' }); }],
  'wf-twoword': [TERMINAL, (r) => { const n = pick(r, ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan']); const w = pick(r, ['hello world', 'all done', 'ready now', 'ship it now']); return term('write-file', `Create a file ${n}.txt that says ${w}.`, `${n}.txt: ${w}`, { 'app.log': 'ok\n' }); }],
  'wf-phrase': [TERMINAL, (r) => { const n = pick(r, ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan']); const w = pick(r, ['hello', 'done', 'ready', 'ship it']); return term('write-file', `Make a file called ${n}.txt containing ${w}.`, `${n}.txt: ${w}`, { 'app.log': 'ok\n' }); }],
};

await tf.setBackend('wasm'); await tf.ready();
const base = 'public/models/nextstate-tiny';
const initial = { bytes: new Uint8Array(readFileSync(`${base}.safetensors`)), manifest: JSON.parse(readFileSync(`${base}.json`, 'utf8')) };
const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
const [kinds, n, seedArg] = process.argv.slice(2);
const seed = Number(seedArg ?? 1);
const settings = validateSettings(armSettings(armById('none'), seed, ENVIRONMENT_SETTINGS));
const loop = new OnlineLoop({ policy: seededPolicy(engines.policy, seed), signal: engines.signal, trainer: engines.trainer }, await MemoryStore.open(), settings, {});
await loop.start(initial);
for (const kind of kinds.split(',')) {
  const [env, sample] = CANDIDATES[kind];
  const rng = createRng(seed * 31 + 7);
  let ok = 0; const t0 = performance.now(); const shown: string[] = [];
  for (let i = 0; i < Number(n); i++) {
    const task = sample(rng);
    const r = await runEpisode(loop, env, task);
    await loop.idle();
    if (r.success) ok++;
    if (shown.length < 4) shown.push(`${r.success ? 'OK ' : 'NO '}${task.prompt} => ${r.steps.map((s) => s.turn.response_text + (s.nextState?.role === 'tool' ? ` [${s.nextState.content.replace(/\n/g, ' / ')}]` : '')).join(' | ')}`);
  }
  console.log(`${kind}: ${ok}/${n} (${((performance.now() - t0) / 1000 / Number(n)).toFixed(1)} s/episode)`);
  for (const s of shown) console.log(`   ${s.slice(0, 300)}`);
}
process.exit(0);
