/**
 * `npm run bench:learn -- [--json] [--quick] [--workers 2] [--model public/models/nextstate-tiny | <HF model folder>]
 *   [--arms hybrid,grpo] [--preferences lowercase,list] [--seeds 1,2,3] [--cap 60] [--set lr=1e-3 --set batchSize=2]
 *   [--runs-out runs.jsonl [--resume]] [--from runs.jsonl] [--figure docs/bench-learn] [--users-check-answers]`
 *
 * `--runs-out` appends each finished run as a JSON line; `--from` summarises such a file instead of running
 * (the plan's runs found there; a partial file gives whole seeds, since runs go seed by seed); `--figure`
 * writes the figure as SVG and PNG. `--users-check-answers`: the simulated users correct a wrong answer (giving
 * the right one) before they look at its style; by default they judge the style only.
 *
 * The personalisation experiment (METHOD §9, issue 8) through NextState's own online loop and engines, in
 * Node on tfjs `wasm`: simulated users with hidden style preferences, sessions until the preference is met
 * three times in a row, for hybrid / GRPO only / OPD only / no updates and the selection, k and C ablations.
 * Runs are independent: they go to `--workers` child processes (one tfjs-wasm process per core), each
 * holding one set of engines. Prints the table, or with `--json` one JSON object; progress goes to stderr.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../src/workers/policy-engine.ts';
import { SignalEngine } from '../src/workers/signal-engine.ts';
import { TrainerEngine } from '../src/workers/trainer-engine.ts';
import type { CheckpointBlob, ModelSource, ReplyResult } from '../src/workers/protocol.ts';
import { validateSettings, type Settings } from '../src/rl/settings.ts';
import { chromium } from 'playwright-core';
import { chromiumArgs, findChromium } from '../test/browser/chromium.ts';
import { experimentFigure, figureSvg } from '../src/experiments/figure.ts';
import {
  EXPERIMENT_SETTINGS, FULL_PLAN, QUICK_PLAN, MOVE_ON_SHARE, UNMET_SHARES, runExperiment, runGroups, runsOf, summarize,
  type ExperimentSummary, type Plan, type RunResult, type RunSpec,
} from '../src/experiments/index.ts';

/** A group of runs one child makes in turn (runGroups): the no-update runs of a seed share their replies. */
interface Job {
  indices: number[];
  specs: RunSpec[];
  base: Partial<Settings>;
  accuracyQuestions: number;
  usersCheckAnswers: boolean;
}

/** Held-out questions the final policy of every run answers (answer accuracy after learning; the same per seed). */
const ACCURACY_QUESTIONS = 8;

function loadCheckpoint(base: string): CheckpointBlob {
  const weights = `${base}.safetensors`;
  const manifest = `${base}.json`;
  if (!existsSync(weights) || !existsSync(manifest)) {
    throw new Error(`no checkpoint at ${base}.{safetensors,json}: run \`npm run pretrain\` or pass --model <path without extension>`);
  }
  return { bytes: new Uint8Array(readFileSync(weights)), manifest: JSON.parse(readFileSync(manifest, 'utf8')) };
}

/** What a Hugging Face model's runs prove: the output says so whatever the weights. */
const HF_NOTE = 'a loaded Hugging Face model: each run trains its own LoRA adapter on the frozen base; on a model with random weights (npm run gen:hf-checkpoint) the runs prove the wiring only, not learning';

/**
 * `--model`: a built-in checkpoint (path without extension) or a Hugging Face model folder (with config.json),
 * read whole into memory, and what the output says about it.
 */
function loadModel(path: string): { initial: ModelSource; about: Record<string, unknown> } {
  if (existsSync(join(path, 'config.json')) && statSync(path).isDirectory()) {
    const files = Object.fromEntries(readdirSync(path).filter((f) => statSync(join(path, f)).isFile()).map((f) => [f, new Uint8Array(readFileSync(join(path, f)))]));
    const config = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8')) as Record<string, unknown>;
    return { initial: { hf: { kind: 'files', name: basename(path), files } }, about: { path, kind: 'hugging-face', model_type: config.model_type, note: HF_NOTE } };
  }
  const checkpoint = loadCheckpoint(path);
  const m = checkpoint.manifest;
  return { initial: checkpoint, about: { path, preset: m.preset, sha256: m.sha256, tokensSeen: m.tokensSeen, corpusVersion: m.corpusVersion } };
}

/**
 * A child process: one set of engines on one core (plus the frozen teacher for the hint-follow probe),
 * running the jobs the parent sends, one run at a time; it keeps the initial policy's replies for the seed
 * it is on (the same context and sampling seed on the same weights give the same reply).
 */
async function child(modelBase: string): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const { initial } = loadModel(modelBase);
  const engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine(), teacher: new PolicyEngine() };
  await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm'), engines.teacher.init('wasm')]);
  const replyCache = new Map<string, ReplyResult>();
  let cacheSeed = NaN;
  process.on('message', async (job: Job | 'exit') => {
    if (job === 'exit') process.exit(0);
    for (let i = 0; i < job.specs.length; i++) {
      const spec = job.specs[i];
      if (spec.seed !== cacheSeed) replyCache.clear();
      cacheSeed = spec.seed;
      const cpu = process.cpuUsage();
      try {
        const result = await runExperiment(engines, initial, spec, { base: job.base, replyCache, accuracyQuestions: job.accuracyQuestions, usersCheckAnswers: job.usersCheckAnswers });
        const used = process.cpuUsage(cpu);
        process.send!({ index: job.indices[i], result, cpuMs: (used.user + used.system) / 1000, last: i === job.specs.length - 1 });
      } catch (e) {
        process.send!({ index: job.indices[i], error: (e as Error).stack ?? String(e) });
        return;
      }
    }
  });
  process.send!({ ready: true });
}

/**
 * Writes the figure as `<path>.svg` and, when Chromium is found, `<path>.png` (the SVG rendered by headless
 * system Chromium through playwright-core, for the README).
 */
async function writeFigure(path: string, summary: ExperimentSummary, cap: number, log: (line: string) => void): Promise<void> {
  const base = path.replace(/\.(svg|png)$/, '');
  const figure = experimentFigure(summary, cap);
  const svg = figureSvg(figure);
  writeFileSync(`${base}.svg`, svg);
  const executablePath = findChromium();
  if (!executablePath) return log(`wrote ${base}.svg (no Chromium for the PNG: set CHROMIUM_PATH)`);
  const browser = await chromium.launch({ executablePath, args: chromiumArgs });
  try {
    const page = await browser.newPage({ viewport: { width: figure.width, height: figure.height }, deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: `${base}.png` });
  } finally {
    await browser.close();
  }
  log(`wrote ${base}.svg and ${base}.png`);
}

function parseSet(pairs: string[]): Partial<Settings> {
  const partial: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    partial[key] = raw === undefined ? undefined : Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  return partial as Partial<Settings>;
}

function planFrom(args: Record<string, string | boolean | string[] | undefined>): Plan {
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN;
  const list = (key: string) => (typeof args[key] === 'string' ? (args[key] as string).split(',').filter(Boolean) : undefined);
  const arms = list('arms');
  const preferences = list('preferences');
  const seeds = list('seeds')?.map(Number);
  const cap = args.cap ? Number(args.cap) : plan.cap;
  if (!arms && !preferences && !seeds) return { ...plan, cap };
  const sections = plan.sections.map((s) => ({
    arms: arms ?? s.arms,
    preferences: preferences ?? s.preferences,
    seeds: seeds ?? s.seeds,
  }));
  return { name: `${plan.name} (subset)`, cap, streak: plan.streak, sections: arms ? sections.slice(0, 1) : sections };
}

function table(summary: ExperimentSummary, staleness: ReturnType<typeof stalenessReport>): string {
  const lines = ['arm                       mean [95% CI]          median  capped  reply tokens  accuracy'];
  for (const a of Object.values(summary.arms)) {
    const ci = `${a.sessions_to_satisfy_mean} [${a.sessions_to_satisfy_ci95.join(', ')}]`;
    lines.push(`${a.id.padEnd(26)}${ci.padEnd(23)}${String(a.sessions_to_satisfy_median).padEnd(8)}${`${a.hit_cap}/${a.runs}`.padEnd(8)}${String(a.mean_reply_tokens).padEnd(14)}${a.answer_accuracy}`);
    for (const [p, r] of Object.entries(a.per_preference)) {
      lines.push(`  ${p.padEnd(24)}${`${r.sessions_to_satisfy_mean} ± ${r.sessions_to_satisfy_std}`.padEnd(31)}${`${r.hit_cap}/${r.runs.length}`.padEnd(8)}${String(r.mean_reply_tokens).padEnd(14)}${r.answer_accuracy}   runs ${r.runs.join(' ')}, met ${r.met_rate}`);
    }
    lines.push(`  diagnostics: ${JSON.stringify(a.diagnostics)}`);
  }
  lines.push('paired comparisons (a − b; paired bootstrap 95% CI; exact Wilcoxon signed-rank p):');
  for (const c of summary.comparisons) {
    lines.push(`  ${`${c.a} − ${c.b}`.padEnd(40)}${String(c.pairs).padEnd(5)}${String(c.mean_difference).padEnd(9)}[${c.ci95.join(', ')}]  p ${c.p_value}  wins ${c.wins.a}/${c.wins.b}/${c.wins.ties}${c.both_capped ? `, both capped ${c.both_capped}` : ''}${c.paired_draws_agree ? '' : '  DRAWS DIFFER'}${c.accuracy_after ? `; accuracy after ${c.accuracy_after.mean_difference} [${c.accuracy_after.ci95.join(', ')}]` : ''}`);
  }
  for (const [knob, rows] of Object.entries(summary.ablations)) {
    lines.push(`ablation ${knob}: ${Object.entries(rows).map(([v, r]) => `${v} → ${r.sessions_to_satisfy_mean} ± ${r.sessions_to_satisfy_std} (capped ${r.hit_cap}/${r.runs}, ${r.mean_reply_tokens} tokens)`).join('; ')}`);
  }
  lines.push(`ratios: ${JSON.stringify(summary.ratios)}`);
  lines.push(`targets: ${JSON.stringify(summary.targets)}`);
  lines.push(`judge agreement: ${JSON.stringify(summary.judge_agreement)}`);
  lines.push(`staleness: ${JSON.stringify(staleness)}`);
  return lines.join('\n');
}

/**
 * Bounded staleness (METHOD §7) over the runs. Sessions wait for the update their sample completes, so a run
 * whose updates trained no sample more than one version behind and kept none stale made exactly the updates
 * maxStaleness = 1 makes: its numbers are those with maxStaleness = 1 as well (issue 19). `--set maxStaleness=1`
 * runs the plan with the bound itself.
 */
function stalenessReport(runs: readonly RunResult[], maxStaleness: number) {
  const recorded = runs.filter((r) => r.staleness);
  const proximal = recorded.reduce((n, r) => n + r.staleness!.proximalSamples, 0);
  const stale = recorded.reduce((n, r) => n + r.staleness!.staleSamples, 0);
  const complete = recorded.length === runs.length;
  return {
    max_staleness: maxStaleness,
    runs_recorded: recorded.length,
    proximal_samples: proximal,
    stale_samples: stale,
    numbers_with_max_staleness_1: maxStaleness === 1 ? 'these' : complete && proximal === 0 && stale === 0 ? 'these (no sample was more than one version behind)' : 'differ: run with --set maxStaleness=1',
  };
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string' },
      model: { type: 'string', default: 'public/models/nextstate-tiny' },
      arms: { type: 'string' },
      preferences: { type: 'string' },
      seeds: { type: 'string' },
      cap: { type: 'string' },
      'runs-out': { type: 'string' },
      from: { type: 'string' },
      resume: { type: 'boolean', default: false },
      figure: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      child: { type: 'boolean', default: false },
      'users-check-answers': { type: 'boolean', default: false },
    },
  });
  const usersCheckAnswers = args['users-check-answers'] ?? false;
  if (args.child) return child(args.model!);

  const base = { ...EXPERIMENT_SETTINGS, ...parseSet(args.set ?? []) };
  validateSettings(base);
  const plan = planFrom(args);
  const runs = runsOf(plan);
  const about = loadModel(args.model!).about;
  const workers = Math.max(1, Math.min(Number(args.workers ?? Math.min(2, availableParallelism())), runs.length));
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[bench:learn ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  log(`${runs.length} runs (${plan.name} plan) on ${workers} processes, model ${args.model}`);
  if (about.note) log(`model: ${about.note}`);

  const results: RunResult[] = new Array(runs.length);
  let cpuMs = 0;
  let done = 0;
  /** Runs a --runs-out file holds (one RunResult a line), each put in its place in the plan: how many, and their CPU time. */
  const readRuns = (file: string) => {
    const byKey = new Map(runs.map((r, i) => [`${r.arm}|${r.preference}|${r.seed}`, i]));
    let read = 0;
    let ms = 0;
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as RunResult & { cpuMs?: number };
      const i = byKey.get(`${r.spec.arm}|${r.spec.preference}|${r.spec.seed}`);
      if (i === undefined || results[i]) continue;
      results[i] = r;
      ms += r.cpuMs ?? 0;
      read++;
    }
    return { done: read, cpuMs: ms };
  };
  if (args.from) {
    // Summarise runs written by an earlier --runs-out.
    ({ done, cpuMs } = readRuns(args.from));
    log(`${done}/${runs.length} runs of the plan read from ${args.from}`);
  } else {
    const out = args['runs-out'];
    // --resume: the runs already in the --runs-out file count as done and are not made again.
    if (out && args.resume && existsSync(out)) {
      ({ done, cpuMs } = readRuns(out));
      log(`resuming: ${done} runs read from ${out}`);
    } else if (out) writeFileSync(out, '');
    const todo = runs.filter((_, i) => !results[i]);
    const groups = runGroups(todo).map((specs) => ({ specs, indices: specs.map((s) => runs.indexOf(s)) }));
    let next = 0;
    if (groups.length > 0) await new Promise<void>((resolve, reject) => {
      const children = Array.from({ length: workers }, () =>
        fork(fileURLToPath(import.meta.url), ['--child', '--model', args.model!], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
      const give = (c: (typeof children)[number]) => {
        if (next >= groups.length) return void c.send('exit');
        const job: Job = { ...groups[next], base, accuracyQuestions: ACCURACY_QUESTIONS, usersCheckAnswers };
        next++;
        c.send(job);
      };
      for (const c of children) {
        c.on('message', (m: { ready?: true; index?: number; result?: RunResult; cpuMs?: number; last?: boolean; error?: string }) => {
          if (m.error) {
            children.forEach((x) => x.kill());
            return reject(new Error(`run ${JSON.stringify(runs[m.index!])} failed:\n${m.error}`));
          }
          if (m.result) {
            results[m.index!] = m.result;
            cpuMs += m.cpuMs ?? 0;
            done++;
            const r = m.result;
            if (args['runs-out']) appendFileSync(args['runs-out'], JSON.stringify({ ...r, cpuMs: m.cpuMs }) + '\n');
            log(`${done}/${runs.length} ${r.spec.arm} ${r.spec.preference} seed ${r.spec.seed}: ${r.sessionsToSatisfy}${r.hitCap ? ' (cap)' : ''} sessions, ${r.updates} updates, ${(r.wallMs / 1000).toFixed(1)}s`);
            if (done === runs.length) resolve();
            if (!m.last) return;
          }
          give(c);
        });
        c.on('exit', (code) => {
          if (code !== 0 && done < runs.length) reject(new Error(`a bench:learn child exited with code ${code}`));
        });
      }
    });
  }

  const finished = results.filter(Boolean);
  const summary = summarize(finished);
  const wallS = (performance.now() - started) / 1000;
  const output = {
    bench: 'learn',
    plan: plan.name,
    quick: args.quick,
    model: about,
    protocol: {
      metric: `sessions until the first reply meets the hidden preference in ${plan.streak} consecutive sessions (cap ${plan.cap}; a capped run counts as ${plan.cap})`,
      cap: plan.cap,
      streak: plan.streak,
      judge: 'built-in (selection arms: built-in with varied hint wording)',
      user_answers: { unmet: UNMET_SHARES, met: { 'move-on': MOVE_ON_SHARE, thanks: 1 - MOVE_ON_SHARE }, wrong_answer: usersCheckAnswers ? 'corrected first (the user gives the right answer), whatever the style' : 'judged on its style only' },
      sections: plan.sections,
      design: 'paired (common random numbers): for a seed every arm meets the same user, questions and user-wording draws, and reply n samples with the same seed; runs pair by (preference, seed)',
      seeds_note: 'full plan: main methods every preference with 10 seeds; ablations 3 preferences with 5 seeds',
      statistics: {
        per_arm: 'mean (capped: a capped run counts as the cap, i.e. the restricted mean of min(T, cap), a lower bound on E[T] when any run capped), median, std (n − 1), percentile bootstrap 95% CI of the mean (10,000 resamples of runs)',
        comparisons: 'mean of a − b over (preference, seed) pairs; 95% CI: paired percentile bootstrap (10,000 resamples of pairs); p: exact two-sided Wilcoxon signed-rank (zero differences dropped, tied ranks averaged, exact sign-flip distribution)',
        capped: 'both_capped counts pairs where both runs hit the cap (difference 0 by construction); satisfied_by_session is the learning curve (fraction of runs satisfied by session s; no run is censored before the cap, so this is the exact empirical CDF)',
      },
      accuracy_questions: ACCURACY_QUESTIONS,
    },
    settings: validateSettings(base),
    staleness: stalenessReport(finished, validateSettings(base).maxStaleness),
    ...summary,
    runs: finished.length,
    runs_planned: runs.length,
    processes: workers,
    from_file: args.from ?? null,
    wall_s: Number(wallS.toFixed(1)),
    cpu_s: Number((cpuMs / 1000).toFixed(1)),
    sessions: finished.reduce((n, r) => n + r.sessions.length, 0),
    sessions_per_s: Number((finished.reduce((n, r) => n + r.sessions.length, 0) / wallS).toFixed(2)),
  };
  if (args.figure) await writeFigure(args.figure, summary, plan.cap, log);
  log(`done in ${wallS.toFixed(0)}s`);
  console.log(args.json ? JSON.stringify(output, null, 2) : `${about.note ? `model: ${about.note}\n` : ''}${table(summary, output.staleness)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
