/**
 * `npm run bench:judge [-- --json]`: the judge server (built-in backend) under a bounded load (issue 7).
 * The server runs in a child process on a free 127.0.0.1 port; this process drives a fixed number of
 * requests (or until a time cap) at a few concurrency levels and reports throughput and latency.
 */
import { spawnListening } from '../server/spawn-listening.ts';

const json = process.argv.includes('--json');
const LEVELS = [1, 4, 16];
const REQUESTS_PER_LEVEL = 1_000;
const MAX_SECONDS_PER_LEVEL = 15;
const WARMUP_REQUESTS = 100;
const M = 3;

const NEXT_STATES = [
  'thanks, that is exactly right!',
  'no, that is wrong. please write it in lowercase.',
  'hmm, can you make it shorter?',
  'great, now what is 12 times 7?',
  'Error: command not found',
];

function body(i: number): string {
  return JSON.stringify({
    messages: [{ role: 'user', content: `what is ${i} plus ${i}?` }],
    reply: `${i} plus ${i} is ${2 * i}.`,
    next_state: { role: 'user', content: NEXT_STATES[i % NEXT_STATES.length] },
    kind: 'personal',
    signals: ['evaluative', 'directive'],
    m: M,
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function drive(url: string, concurrency: number, count: number, maxSeconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  async function worker() {
    while (issued < count && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      try {
        const r = await fetch(`${url}/v1/judge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
        const answer = (await r.json()) as { evaluative?: unknown };
        if (!r.ok || !answer.evaluative) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, errors, seconds };
}

function summary(latencies: number[], errors: number, seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: latencies.length,
    duration_s: round(seconds, 3),
    requests_per_s: round(latencies.length / seconds, 1),
    latency_ms_p50: round(percentile(sorted, 50), 2),
    latency_ms_p95: round(percentile(sorted, 95), 2),
    errors,
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

const env = { ...process.env };
for (const name of Object.keys(env)) if (name.startsWith('NEXTSTATE_JUDGE_')) delete env[name];
const server = await spawnListening('server/main.ts', ['--port', '0', '--rate-limit', '0', '--max-m', String(M)], { env });
try {
  await drive(server.url, 4, WARMUP_REQUESTS, MAX_SECONDS_PER_LEVEL);
  const levels = [];
  const all: number[] = [];
  let errors = 0;
  let seconds = 0;
  for (const concurrency of LEVELS) {
    const run = await drive(server.url, concurrency, REQUESTS_PER_LEVEL, MAX_SECONDS_PER_LEVEL);
    levels.push({ concurrency, ...summary(run.latencies, run.errors, run.seconds) });
    all.push(...run.latencies);
    errors += run.errors;
    seconds += run.seconds;
  }
  const base = levels[0].requests_per_s;
  const report = {
    benchmark: 'judge-server',
    backend: 'builtin',
    signals: ['evaluative', 'directive'],
    m: M,
    ...summary(all, errors, seconds),
    levels,
    throughput_ratio_vs_concurrency_1: Object.fromEntries(levels.map((l) => [`c${l.concurrency}`, round(l.requests_per_s / base, 2)])),
    note: 'client and server share this machine; latency includes loopback HTTP and JSON',
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`judge server, built-in backend, both signals, m = ${M}`);
    for (const l of levels) {
      console.log(`  concurrency ${String(l.concurrency).padStart(2)}: ${l.requests_per_s} req/s, p50 ${l.latency_ms_p50} ms, p95 ${l.latency_ms_p95} ms, errors ${l.errors}`);
    }
    console.log(`  all: ${report.requests_per_s} req/s, p50 ${report.latency_ms_p50} ms, p95 ${report.latency_ms_p95} ms, errors ${report.errors}`);
  }
} finally {
  await server.stop();
}
