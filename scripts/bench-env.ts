/**
 * `npm run bench:env -- [--json] [--quick] [--workers 2] [--model public/models/nextstate-tiny]
 *   [--environments tool-use,terminal] [--arms hybrid,grpo,none] [--seeds 1,2] [--episodes 40] [--tasks near|heldout|corpus]
 *   (--quick: --arms hybrid,none --seeds 1 --episodes 20)
 *   [--set lr=1e-3]`
 *
 * The environment experiment (issue 15) through NextState's own online loop and engines, in Node on tfjs
 * `wasm`: per environment and arm, episodes drawn from the task source (`--tasks`: the held-out set the corpus never
 * shows, by default, or the corpus's own tasks), each judged step by step (METHOD §2)
 * and checked at its end; success rates over the first and last 10 episodes, episodes to 3 successes in a
 * row, and the step judge's agreement with the checker. Runs go to `--workers` child processes.
 * Prints a table, or with `--json` one JSON object; progress goes to stderr.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../src/workers/policy-engine.ts';
import { SignalEngine } from '../src/workers/signal-engine.ts';
import { TrainerEngine } from '../src/workers/trainer-engine.ts';
import type { CheckpointBlob } from '../src/workers/protocol.ts';
import { validateSettings, type Settings } from '../src/rl/settings.ts';
import { ENVIRONMENT_SETTINGS, runEnvironmentExperiment, summarizeEnvironment, SUCCESS_STREAK, SUCCESS_WINDOW,
  type EnvironmentRunResult, type EnvironmentRunSpec } from '../src/experiments/index.ts';
import { TASK_SETS, type EnvironmentId, type TaskSet } from '../src/world/environments/index.ts';

interface Job {
  index: number;
  spec: EnvironmentRunSpec;
  base: Partial<Settings>;
}

function loadCheckpoint(base: string): CheckpointBlob {
  if (!existsSync(`${base}.safetensors`) || !existsSync(`${base}.json`)) {
    throw new Error(`no checkpoint at ${base}.{safetensors,json}: run \`npm run pretrain\` or pass --model <path without extension>`);
  }
  return { bytes: new Uint8Array(readFileSync(`${base}.safetensors`)), manifest: JSON.parse(readFileSync(`${base}.json`, 'utf8')) };
}

async function child(modelBase: string): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const initial = loadCheckpoint(modelBase);
  const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
  process.on('message', async (job: Job | 'exit') => {
    if (job === 'exit') process.exit(0);
    try {
      process.send!({ index: job.index, result: await runEnvironmentExperiment(engines, initial, job.spec, { base: job.base }) });
    } catch (e) {
      process.send!({ index: job.index, error: (e as Error).stack ?? String(e) });
    }
  });
  process.send!({ ready: true });
}

function parseSet(pairs: string[]): Partial<Settings> {
  const partial: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    partial[key] = Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  return partial as Partial<Settings>;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string' },
      model: { type: 'string', default: 'public/models/nextstate-tiny' },
      environments: { type: 'string', default: 'tool-use,terminal' },
      arms: { type: 'string' },
      seeds: { type: 'string' },
      episodes: { type: 'string' },
      tasks: { type: 'string', default: 'near' },
      set: { type: 'string', multiple: true, default: [] },
      child: { type: 'boolean', default: false },
    },
  });
  if (args.child) return child(args.model!);
  const base = { ...ENVIRONMENT_SETTINGS, ...parseSet(args.set ?? []) };
  validateSettings(base);
  const episodes = Number(args.episodes ?? (args.quick ? 20 : 40));
  const seeds = (args.seeds ?? (args.quick ? '1' : '1,2')).split(',').map(Number);
  const environments = args.environments!.split(',') as EnvironmentId[];
  // --quick: 20 episodes, seed 1, the two arms the target compares (hybrid, none); about 3 minutes on 2 cores.
  const arms = (args.arms ?? (args.quick ? 'hybrid,none' : 'hybrid,grpo,none')).split(',');
  if (!TASK_SETS.includes(args.tasks as TaskSet)) throw new Error(`--tasks must be one of ${TASK_SETS.join(', ')}, not "${args.tasks}"`);
  const tasks = args.tasks as TaskSet;
  const runs: EnvironmentRunSpec[] = environments.flatMap((environment) => arms.flatMap((arm) => seeds.map((seed) => ({ environment, arm, seed, episodes, tasks }))));
  const manifest = loadCheckpoint(args.model!).manifest;
  const workers = Math.max(1, Math.min(Number(args.workers ?? Math.min(2, availableParallelism())), runs.length));
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[bench:env ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  log(`${runs.length} runs of ${episodes} episodes on ${workers} processes, model ${args.model}`);

  const results: EnvironmentRunResult[] = new Array(runs.length);
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const children = Array.from({ length: workers }, () =>
      fork(fileURLToPath(import.meta.url), ['--child', '--model', args.model!], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    const give = (c: (typeof children)[number]) => {
      if (next >= runs.length) return void c.send('exit');
      c.send({ index: next, spec: runs[next], base } satisfies Job);
      next++;
    };
    for (const c of children) {
      c.on('message', (m: { ready?: true; index?: number; result?: EnvironmentRunResult; error?: string }) => {
        if (m.error) {
          children.forEach((x) => x.kill());
          return reject(new Error(`run ${JSON.stringify(runs[m.index!])} failed:\n${m.error}`));
        }
        if (m.result) {
          results[m.index!] = m.result;
          done++;
          const r = m.result;
          log(`${done}/${runs.length} ${r.spec.environment} ${r.spec.arm} seed ${r.spec.seed}: ${r.episodes.filter((e) => e.success).length}/${r.episodes.length} solved, ${r.updates} updates, ${(r.wallMs / 1000).toFixed(0)}s`);
          if (done === runs.length) resolve();
        }
        give(c);
      });
      c.on('exit', (code) => {
        if (code !== 0 && done < runs.length) reject(new Error(`a bench:env child exited with code ${code}`));
      });
    }
  });

  const perEnvironment = Object.fromEntries(environments.map((env) => [env, summarizeEnvironment(results.filter((r) => r.spec.environment === env))]));
  const output = {
    bench: 'env',
    quick: args.quick,
    model: { path: args.model, preset: manifest.preset, tokensSeen: manifest.tokensSeen, corpusVersion: manifest.corpusVersion },
    protocol: {
      tasks, episodes_per_run: episodes, seeds, window: SUCCESS_WINDOW, streak: SUCCESS_STREAK, judge: 'built-in step judge (m votes)',
      outcome: 'checker on the final answer or tree: +1 / -1, added to the last step\'s reward; a run of actions is capped (failure)',
      target: "hybrid's success_rate_last above its success_rate_first and above none's success_rate_last",
    },
    settings: validateSettings(base),
    environments: perEnvironment,
    examples: Object.fromEntries(environments.map((env) => [env, results.filter((r) => r.spec.environment === env && r.spec.arm === arms[0])[0]?.episodes.slice(-3).map((e) => ({ task: e.task, replies: e.replies, success: e.success, steps: e.stepScores }))])),
    wall_s: Math.round((performance.now() - started) / 1000),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  else {
    for (const [env, s] of Object.entries(perEnvironment)) {
      process.stdout.write(`${env}\n`);
      for (const [arm, a] of Object.entries(s.arms)) {
        process.stdout.write(`  ${arm.padEnd(8)} first ${a.success_rate_first}  last ${a.success_rate_last}  all ${a.success_rate_all}  to streak ${a.episodes_to_streak.join(' ')} (capped ${a.hit_cap}/${a.runs})  actions ${a.mean_actions}\n`);
      }
      process.stdout.write(`  step judge vs checker: ${JSON.stringify(s.step_judge_agreement)}; target met: ${s.target_met}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
