/**
 * The kernel benchmark (issue 4), run in a page on tfjs's `webgpu` backend: for each vocabulary size,
 * the fused top-k overlap kernels against the same results from stock tfjs ops and from the TypeScript
 * reference, and against a plain copy kernel over the same bytes in the same run (the bandwidth ceiling).
 * Bandwidth: fused_gbps = logits bytes read / fused time; copy_gbps = (bytes read + bytes written) / time of
 * the fastest copy of the same logits (each matrix copied once); fraction_of_copy_bandwidth is their ratio.
 */
import * as tf from '@tensorflow/tfjs';
import { activeWebGPUBackend, bufferOf } from '../gpu/tfjs-webgpu.ts';
import { rowLayout, type RowLayout } from '../gpu/capabilities.ts';
import { topKOverlapOnGpu } from '../top-k-overlap/index.ts';
import { topKOverlapReference } from '../top-k-overlap/reference.ts';
import { clippedAdvantageOnGpu } from '../clipped-advantage/index.ts';
import { copyOnGpu } from '../copy/index.ts';
import { topKOverlapWithTfjsOps } from './tfjs-ops.ts';

export interface BenchConfig {
  positions: number;
  hints: number;
  k: number;
  vocabs: number[];
  /** Timed repetitions per method after one warm-up (the median is reported). */
  reps: number;
  /** Skip the CPU reference (slow on big vocabularies). */
  skipReference?: boolean;
  log?: (line: string) => void;
}

export interface BenchRow {
  V: number;
  T: number;
  H: number;
  k: number;
  fused_ms: number;
  directive_signal_ms: number;
  tfjs_ops_ms: number;
  reference_ms: number | null;
  copy_ms: number;
  speedup_vs_tfjs: number;
  speedup_vs_reference: number | null;
  /** Student + H teacher matrices, f32: what the fused kernels read. */
  logits_bytes: number;
  /** Grid of the fastest copy tried (COPY_GRIDS). */
  copy_workgroups: number;
  /** (bytes read + bytes written) / copy time: the adapter's copy bandwidth. */
  copy_gbps: number;
  /** logits bytes / fused time. */
  fused_gbps: number;
  fraction_of_copy_bandwidth: number;
  /** The same comparison by time alone (as if the copy were credited with its reads only): 2 × the fraction. */
  copy_time_over_fused_time: number;
  /** Fused ids and O[h,i] equal to the tfjs-ops baseline's (a ratio means little if the results differ). */
  tfjs_ops_agree: boolean;
  /** Fused ids and O[h,i] equal to the reference's (null when the reference was skipped). */
  reference_agrees: boolean | null;
}

export interface BenchReport {
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean | null };
  /** How the row kernels reduce on this device (capabilities.ts). */
  layout: RowLayout;
  reps: number;
  rows: BenchRow[];
}

/**
 * The benchmark's settings from named text values (the page's query, the Node entry's flags), with the same
 * defaults for both: T 512, H 3, k 4, V 32768,151936, reps 3; reference=0 skips the CPU reference.
 */
export function benchConfigFrom(get: (name: string) => string | null | undefined, log?: (line: string) => void): BenchConfig {
  const num = (name: string, fallback: number) => Number(get(name) ?? fallback);
  return {
    positions: num('T', 512), hints: num('H', 3), k: num('k', 4),
    vocabs: (get('V') ?? '32768,151936').split(',').map(Number),
    reps: num('reps', 3), skipReference: get('reference') === '0', log,
  };
}

/** Median wall time of `reps` runs (after one untimed warm-up unless the caller already ran it once). */
async function median(reps: number, run: () => Promise<void>, warmUp = true): Promise<number> {
  if (warmUp) await run();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const sameInts = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);

const COPY_GRIDS = [64, 256, 1024, 4096];

async function benchOne(V: number, c: BenchConfig): Promise<BenchRow> {
  const backend = activeWebGPUBackend();
  if (!backend) throw new Error('bench: the webgpu backend is not active');
  const { positions: T, hints: H, k } = c;
  const log = c.log ?? (() => {});
  const student = tf.tidy(() => tf.randomNormal([T, V], 0, 3, 'float32', 1)) as tf.Tensor2D;
  const teachers = Array.from({ length: H }, (_, h) => tf.tidy(() => tf.add(student, tf.randomNormal([T, V], 0, 1.5, 'float32', 2 + h))) as tf.Tensor2D);
  const matrices = [student, ...teachers];
  const logitsBytes = matrices.length * T * V * 4;

  const first = await topKOverlapOnGpu(student, teachers, k);
  const fusedResult = await first.read();
  first.dispose();
  const fusedMs = await median(c.reps, async () => {
    const fused = await topKOverlapOnGpu(student, teachers, k);
    await fused.read();
    fused.dispose();
  }, false);
  log(`V=${V}: fused ${fusedMs.toFixed(1)} ms`);
  const signalMs = await median(c.reps, async () => {
    const rows = await topKOverlapOnGpu(student, teachers, k);
    const adv = await clippedAdvantageOnGpu(rows, { selection: 'sequence', clip: 1 });
    await Promise.all([rows.read(), adv.read()]);
    adv.dispose();
    rows.dispose();
  });

  // The ceiling is the best copy: grid sizes suit adapters differently (few workgroups on a CPU).
  const target = backend.device.createBuffer({ size: T * V * 4, usage: GPUBufferUsage.STORAGE });
  const sources = matrices.map((m) => bufferOf(backend, m));
  let copyMs = Infinity;
  let copyWorkgroups = 0;
  for (const workgroups of COPY_GRIDS) {
    const ms = await median(c.reps, async () => {
      await copyOnGpu(backend, sources, target, T * V * 4, workgroups);
      await backend.device.queue.onSubmittedWorkDone();
    });
    if (ms < copyMs) [copyMs, copyWorkgroups] = [ms, workgroups];
  }
  target.destroy();
  log(`V=${V}: copy ${copyMs.toFixed(1)} ms (${copyWorkgroups} workgroups)`);

  // The first run is the agreement check and the warm-up; the baseline is slow, so at most 2 timed runs.
  const ops = await topKOverlapWithTfjsOps(student, teachers, k);
  const tfjsMs = await median(Math.min(c.reps, 2), async () => {
    await topKOverlapWithTfjsOps(student, teachers, k);
  }, false);
  log(`V=${V}: tfjs ops ${tfjsMs.toFixed(1)} ms`);
  const tfjsAgree = sameInts(ops.studentIds, fusedResult.studentIds) &&
    teachers.every((_, h) => sameInts(ops.teacherIds[h], fusedResult.teacherIds.subarray(h * T * k, (h + 1) * T * k)) &&
      sameInts(ops.overlap[h], fusedResult.overlap.subarray(h * T, (h + 1) * T)));

  let referenceMs: number | null = null;
  let referenceAgrees: boolean | null = null;
  if (!c.skipReference) {
    const data = await Promise.all(matrices.map(async (m) => (await m.data()) as Float32Array));
    const t0 = performance.now();
    const ref = topKOverlapReference(data[0], data.slice(1), T, V, k);
    referenceMs = performance.now() - t0;
    referenceAgrees = sameInts(ref.studentIds, fusedResult.studentIds) && sameInts(ref.teacherIds, fusedResult.teacherIds) && sameInts(ref.overlap, fusedResult.overlap);
    log(`V=${V}: reference ${referenceMs.toFixed(1)} ms`);
  }
  tf.dispose(matrices);

  const copyGbps = (2 * logitsBytes) / (copyMs * 1e6);
  const fusedGbps = logitsBytes / (fusedMs * 1e6);
  return {
    V, T, H, k,
    fused_ms: fusedMs, directive_signal_ms: signalMs, tfjs_ops_ms: tfjsMs, reference_ms: referenceMs, copy_ms: copyMs,
    speedup_vs_tfjs: tfjsMs / fusedMs,
    speedup_vs_reference: referenceMs === null ? null : referenceMs / fusedMs,
    logits_bytes: logitsBytes, copy_workgroups: copyWorkgroups, copy_gbps: copyGbps, fused_gbps: fusedGbps,
    fraction_of_copy_bandwidth: fusedGbps / copyGbps, copy_time_over_fused_time: copyMs / fusedMs,
    tfjs_ops_agree: tfjsAgree, reference_agrees: referenceAgrees,
  };
}

/** The adapter tfjs runs on (tfjs keeps only vendor and architecture, so ask again). */
export async function adapterInfo(): Promise<BenchReport['adapter']> {
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  const info = (adapter?.info ?? {}) as unknown as Record<string, unknown>;
  return {
    vendor: String(info.vendor ?? ''), architecture: String(info.architecture ?? ''), description: String(info.description ?? ''),
    isFallbackAdapter: typeof info.isFallbackAdapter === 'boolean' ? info.isFallbackAdapter : null,
  };
}

export async function benchKernels(c: BenchConfig): Promise<BenchReport> {
  const backend = activeWebGPUBackend();
  if (!backend) throw new Error('bench: the webgpu backend is not active');
  const rows: BenchRow[] = [];
  for (const V of c.vocabs) rows.push(await benchOne(V, c));
  return {
    adapter: await adapterInfo(),
    layout: rowLayout(backend.device),
    reps: c.reps,
    rows,
  };
}
