/**
 * `npm run bench:loop -- [--json] [--backend wasm|webgpu] [--model nextstate-tiny|random] [--idle-turns 8] [--turns 24] [--batch 4] [--batch-fill full|pending] [--per-update] [--pause-ms 0] [--no-serving-gate] [--repeats 1]`
 * Drives a scripted conversation through the real online loop (workers, IndexedDB) in headless Chromium and
 * measures what a visitor feels: time to first token, per-token latency while idle and while an update runs,
 * refused replies, and how long a batch's last next state takes to become the serving version. The first
 * `--idle-turns` run with training paused (B = 256, the largest), so the idle figure has its own sample; then B applies
 * and `--turns` more are sent back to back (with `--batch-fill`, the settings' `batchFill`, from then on).
 * `--per-update` adds every update's stages and its next state → serving time, not only their medians.
 * `--pause-ms` waits that long after each reply (a visitor reading and typing) instead of sending back to back.
 * On fewer than four cores the background workers yield to a decoding reply while they keep up (serving-gate.ts);
 * `--no-serving-gate` turns that off in both runs. `--repeats N` measures N pairs of runs and adds each target
 * figure's median and its N values (a single p95 moves ±30% between identical runs on a small machine).
 * A control run sends the same script in a fresh browser context with training left paused: the
 * `training_on_vs_off` ratios compare the same turns with and without updates (the idle/training split compares
 * the first turns' short contexts with the later turns' long ones).
 */
import { existsSync } from 'node:fs';
import { openBrowserSession, percentile } from './browser-session.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : fallback;
};
const backend = option('backend', 'wasm');
const model = option('model', existsSync('public/models/nextstate-tiny.safetensors') ? 'nextstate-tiny' : 'random');
const idleTurns = Number(option('idle-turns', '8'));
const turns = Number(option('turns', '24'));
const batchSize = Number(option('batch', '4'));
const batchFill = option('batch-fill', 'full');
const pauseMs = Number(option('pause-ms', '0'));
const servingGate = !argv.includes('--no-serving-gate');
const repeats = Number(option('repeats', '1'));
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a whole number ≥ 1, got ${option('repeats', '1')}`);
if (batchFill !== 'full' && batchFill !== 'pending') throw new Error(`--batch-fill must be full or pending, got ${batchFill}`);

// A visitor who asks, corrects, thanks and moves on: most next states carry a signal.
const script = [
  'What is the capital of Peru?', 'too long, just one sentence please', 'What is 7 times 8?', 'why is it in capitals? lowercase please',
  'thanks! how many grams are in 3 kilograms?', 'no, that is wrong', 'Describe a cat.', 'can you put that as a bulleted list?',
  'perfect, thank you', 'What is 12 plus 9?', 'again please', 'How many minutes are in 2 hours?',
];

const session = await openBrowserSession('bench:loop');
let exit = 0;

/**
 * The script in a fresh browser context (its own IndexedDB): `idleTurns` with training paused, then `turns` more
 * back to back with B applied, or, for the control, still paused (judged, never trained).
 */
async function runScript(train: boolean) {
  const context = await session.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${session.baseUrl}/test/browser/pages/loop.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'idle');
  const choices = await page.evaluate(
    ([backend, model, servingGate]) => (window as any).harness.start({ backend, model, servingGate, settings: { batchSize: 256, maxTokens: 48 } }),
    [backend, model, servingGate] as const,
  );
  const report = await page.evaluate(
    async ([script, idleTurns, turns, batchSize, batchFill, train, pauseMs]) => {
      const h = (window as any).harness;
      const id = await h.newSession();
      const ttft: number[] = [];
      const idle: number[] = [];
      const training: number[] = [];
      // the turns after idleTurns, whatever ran meanwhile: the same turns of both runs compare
      const laterTtft: number[] = [];
      const later: number[] = [];
      let refused = 0;
      for (let i = 0; i < idleTurns + turns; i++) {
        if (i === idleTurns && train) h.setBatchSize(batchSize, batchFill);
        const startedUpdating = h.updating();
        try {
          const r = await h.send(id, script[i % script.length]);
          ttft.push(r.times[0] ?? NaN);
          const gaps = r.times.slice(1).map((t: number, j: number) => t - r.times[j]);
          (startedUpdating || h.updating() ? training : idle).push(...gaps);
          if (i >= idleTurns) {
            laterTtft.push(r.times[0] ?? NaN);
            later.push(...gaps);
          }
        } catch {
          refused++;
        }
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
      await h.idle();
      return { servingGated: h.servingGated() as boolean, ttft, idle, training, laterTtft, later, serving: h.updateToServingMs() as number[], stages: h.updateStages() as Record<string, number>[], refused, updates: h.updates().length, version: h.version(), samples: await h.sampleCounts(), errors: h.errors() };
    },
    [script, idleTurns, turns, batchSize, batchFill, train, pauseMs] as const,
  );
  await context.close();
  return { choices, report };
}

/** One repeat: the script with training, then its control; the figures of that pair. */
async function measure() {
  const { choices, report } = await runScript(true);
  const control = (await runScript(false)).report;
  const p95Idle = percentile(report.idle, 95);
  const samplesTotal = report.samples.trained + report.samples.stale + report.samples.pending;
  const stageKeys = report.stages.length > 0 ? Object.keys(report.stages[0]) : [];
  const stagesP50 = Object.fromEntries(stageKeys.map((k) => [k, percentile(report.stages.map((s) => s[k]), 50)]));
  const p95Training = percentile(report.training, 95);
  const result = {
    backend: choices[0].backend,
    backend_reason: choices[0].reason,
    model,
    idle_turns: idleTurns,
    turns,
    batch_size: batchSize,
    batch_fill: batchFill,
    pause_ms: pauseMs,
    serving_gated: report.servingGated,
    ttft_ms_p50: percentile(report.ttft, 50),
    token_ms_p50_idle: percentile(report.idle, 50),
    token_ms_p95_idle: p95Idle,
    token_ms_p95_training: p95Training,
    latency_ratio_training_vs_idle: p95Training / p95Idle,
    // The same turns (after the idle ones) of this run and of a control run that never trains: the split above also
    // compares long contexts (later turns) with short ones (the first), this does not.
    token_ms_p95_training_on: percentile(report.later, 95),
    token_ms_p95_training_off: percentile(control.later, 95),
    latency_ratio_training_on_vs_off: percentile(report.later, 95) / percentile(control.later, 95),
    ttft_ratio_p50_training_on_vs_off: percentile(report.laterTtft, 50) / percentile(control.laterTtft, 50),
    control_replies_refused: control.refused,
    tokens_measured_idle: report.idle.length,
    tokens_measured_training: report.training.length,
    replies_refused: report.refused,
    update_to_serving_ms_p50: percentile(report.serving, 50),
    // Median per update: from the last next state to its signal done, the signal's own time, to the update's
    // start, then the update's stages (recomputing stale samples, trainer call, commit, publishing to workers);
    // driftAfterPublish (the KL metric's two forward passes) runs once the version serves, outside update_to_serving.
    update_stages_ms_p50: stagesP50,
    ...(argv.includes('--per-update') ? { update_stages_ms: report.stages.map((s, i) => ({ ...s, toServing: report.serving[i] })) } : {}),
    updates: report.updates,
    final_version: report.version,
    // Stale: written more than maxStaleness versions behind the one being trained (METHOD §7), never trained.
    samples_stale_fraction: samplesTotal > 0 ? report.samples.stale / samplesTotal : 0,
    samples_trained: report.samples.trained,
    samples_stale: report.samples.stale,
    samples_pending: report.samples.pending,
    errors: report.errors,
  };
  return result;
}

/** The figures the targets read, summarised over repeats by their median (single runs are noisy: ±30% on a p95). */
const REPEATED = [
  'latency_ratio_training_vs_idle', 'latency_ratio_training_on_vs_off', 'token_ms_p95_idle', 'token_ms_p95_training',
  'update_to_serving_ms_p50', 'samples_stale_fraction', 'ttft_ms_p50', 'replies_refused',
] as const;

try {
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  for (let r = 0; r < repeats; r++) {
    results.push(await measure());
    if (repeats > 1) console.error(`[bench:loop] repeat ${r + 1}/${repeats} done`);
  }
  const output = repeats === 1 ? results[0] : {
    repeats,
    median: Object.fromEntries(REPEATED.map((k) => [k, percentile(results.map((x) => x[k]), 50)])),
    per_repeat: Object.fromEntries(REPEATED.map((k) => [k, results.map((x) => x[k])])),
    runs: results,
  };
  if (argv.includes('--json')) console.log(JSON.stringify(output, null, 2));
  else console.table(repeats === 1 ? output : (output as { per_repeat: object }).per_repeat);
} catch (e) {
  console.error(e);
  exit = 1;
} finally {
  await session.close();
}
process.exit(exit);
