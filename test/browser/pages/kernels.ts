/**
 * Browser harness of the kernel tests: builds seeded inputs, runs a kernel on tfjs's `webgpu` backend with
 * poisoned outputs, runs its TypeScript reference on the same inputs, and reports the comparison.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGPUBackend } from '../../../src/kernels/gpu/register-backend.ts';
import { rowLayout, type ReduceLayout } from '../../../src/kernels/gpu/capabilities.ts';
import { activeWebGPUBackend, POISON_WORD } from '../../../src/kernels/gpu/tfjs-webgpu.ts';
import { topKOverlapOnGpu } from '../../../src/kernels/top-k-overlap/index.ts';
import { topKOverlapReference } from '../../../src/kernels/top-k-overlap/reference.ts';
import { encodeTopKOverlap, type TopKOverlap } from '../../../src/kernels/top-k-overlap/layout.ts';
import { clippedAdvantageOnGpu } from '../../../src/kernels/clipped-advantage/index.ts';
import { clippedAdvantageReference, type AdvantageOptions } from '../../../src/kernels/clipped-advantage/reference.ts';
import type { DirectiveAdvantages } from '../../../src/kernels/clipped-advantage/layout.ts';
import { directiveSignal } from '../../../src/kernels/directive-signal.ts';
import { makeLogits, type LogitsKind } from './kernels-inputs.ts';
import { Mismatches } from './kernels-compare.ts';

export interface TopKCase {
  positions: number;
  vocab: number;
  k: number;
  hints: number;
  /** `list`: H separate [T,V] tensors; `stacked`: one [H,T,V] tensor. */
  teachers: 'list' | 'stacked';
  kind: LogitsKind;
  seed: number;
  reduce: ReduceLayout;
}

/** The kernel options that ask for a reduction layout (the device may not offer it: see `layoutUsed`). */
function layoutOptions(layout: ReduceLayout) {
  return { subgroups: layout !== 'tree', rowPerSubgroup: layout === 'subgroupRow' };
}

export interface CaseReport {
  mismatches: number;
  examples: string[];
  maxRelative: number;
  layoutUsed: ReduceLayout;
  gpuMs: number;
  referenceMs: number;
  /** Summary of the data, so a test can check the case exercised what it meant to. */
  stats: Record<string, number>;
}

async function setup(): Promise<{ adapter: string; layout: string }> {
  registerWebGPUBackend({ subgroups: true });
  await tf.setBackend('webgpu');
  await tf.ready();
  const backend = activeWebGPUBackend();
  if (!backend) throw new Error('webgpu backend did not start');
  const info = backend.adapterInfo as unknown as { vendor?: string; architecture?: string };
  return { adapter: `${info.vendor ?? '?'} / ${info.architecture ?? '?'}`, layout: JSON.stringify(rowLayout(backend.device)) };
}

function compareTopK(m: Mismatches, got: TopKOverlap, want: TopKOverlap): void {
  m.ints('k', [got.k, got.positions, got.hints], [want.k, want.positions, want.hints]);
  m.ints('studentIds', got.studentIds, want.studentIds);
  m.ints('teacherIds', got.teacherIds, want.teacherIds);
  m.ints('overlap', got.overlap, want.overlap);
  m.floats('studentLogSumExp', got.studentLogSumExp, want.studentLogSumExp);
  m.floats('studentLogProbs', got.studentLogProbs, want.studentLogProbs);
  m.floats('teacherLogSumExp', got.teacherLogSumExp, want.teacherLogSumExp);
  m.floats('teacherLogProbs', got.teacherLogProbs, want.teacherLogProbs);
  m.floats('teacherLogProbsAtStudent', got.teacherLogProbsAtStudent, want.teacherLogProbsAtStudent);
}

async function topKCase(c: TopKCase): Promise<CaseReport> {
  const student = makeLogits(c.kind, c.positions, c.vocab, c.seed);
  const teachers = Array.from({ length: c.hints }, (_, h) => makeLogits(c.kind, c.positions, c.vocab, c.seed + 1 + h, student));
  const s = tf.tensor2d(student, [c.positions, c.vocab]);
  const ts = c.teachers === 'list'
    ? teachers.map((t) => tf.tensor2d(t, [c.positions, c.vocab]))
    : tf.tensor3d(concat(teachers), [c.hints, c.positions, c.vocab]);
  const m = new Mismatches();
  const t0 = performance.now();
  const onGpu = await topKOverlapOnGpu(s, ts, c.k, { poison: true, ...layoutOptions(c.reduce) });
  m.noPoison('studentRows', (await onGpu.studentRows.data()) as Int32Array, POISON_WORD);
  m.noPoison('teacherRows', (await onGpu.teacherRows.data()) as Int32Array, POISON_WORD);
  const got = await onGpu.read();
  const gpuMs = performance.now() - t0;
  onGpu.dispose();
  tf.dispose([s, ...(Array.isArray(ts) ? ts : [ts])]);
  const t1 = performance.now();
  const want = topKOverlapReference(student, teachers, c.positions, c.vocab, c.k);
  const referenceMs = performance.now() - t1;
  compareTopK(m, got, want);
  return {
    mismatches: m.count, examples: m.found, maxRelative: m.maxRelative,
    layoutUsed: rowLayout(activeWebGPUBackend()!.device, layoutOptions(c.reduce)).reduce,
    gpuMs, referenceMs,
    stats: {
      overlapMin: Math.min(...want.overlap), overlapMax: Math.max(...want.overlap),
      nanLogProbs: want.studentLogProbs.filter(Number.isNaN).length + want.teacherLogProbs.filter(Number.isNaN).length,
      infLogProbs: want.studentLogProbs.filter((x) => x === -Infinity).length,
      tiedTopK: countTiedNeighbours(want),
    },
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return all;
}

/** How many adjacent top-k entries have equal log-probs (a tie that the id order had to break). */
function countTiedNeighbours(r: TopKOverlap): number {
  let n = 0;
  for (let i = 0; i < r.positions; i++) {
    for (let j = 1; j < r.k; j++) if (r.studentLogProbs[i * r.k + j] === r.studentLogProbs[i * r.k + j - 1]) n++;
  }
  return n;
}

export interface AdvantageCase extends AdvantageOptions {
  positions: number;
  vocab: number;
  k: number;
  hints: number;
  kind: LogitsKind;
  seed: number;
  /** `kernel`: the advantage kernel alone, on rows packed from the reference's overlap; `pipeline`: logits → both kernels. */
  scope: 'kernel' | 'pipeline';
  reduce: ReduceLayout;
}

function compareAdvantages(m: Mismatches, got: DirectiveAdvantages, want: DirectiveAdvantages): void {
  m.ints('hint', got.hint, want.hint);
  m.ints('sums', got.sums, want.sums);
  m.ints('clipped', [got.clipped], [want.clipped]);
  m.floats('weights', got.weights, want.weights);
  m.floats('deltas', got.deltas, want.deltas);
  m.floats('advantages', got.advantages, want.advantages);
  m.floats('teacherLogProbs', got.teacherLogProbs, want.teacherLogProbs);
}

async function advantageCase(c: AdvantageCase): Promise<CaseReport> {
  const student = makeLogits(c.kind, c.positions, c.vocab, c.seed);
  const teachers = Array.from({ length: c.hints }, (_, h) => makeLogits(c.kind, c.positions, c.vocab, c.seed + 1 + h, student));
  const t1 = performance.now();
  const overlap = topKOverlapReference(student, teachers, c.positions, c.vocab, c.k);
  const want = clippedAdvantageReference(overlap, c);
  const referenceMs = performance.now() - t1;
  const m = new Mismatches();
  const t0 = performance.now();
  let got: DirectiveAdvantages;
  if (c.scope === 'kernel') {
    const packed = encodeTopKOverlap(overlap);
    const rows = {
      positions: c.positions, hints: c.hints, k: overlap.k,
      studentRows: tf.tensor1d(packed.studentRows, 'int32'), teacherRows: tf.tensor1d(packed.teacherRows, 'int32'),
    };
    const onGpu = await clippedAdvantageOnGpu(rows, c, { poison: true });
    m.noPoison('words', (await onGpu.words.data()) as Int32Array, POISON_WORD);
    got = await onGpu.read();
    onGpu.dispose();
    tf.dispose([rows.studentRows, rows.teacherRows]);
  } else {
    const s = tf.tensor2d(student, [c.positions, c.vocab]);
    const ts = teachers.map((t) => tf.tensor2d(t, [c.positions, c.vocab]));
    const signal = await directiveSignal(s, ts, c, { poison: true, ...layoutOptions(c.reduce) });
    compareTopK(m, signal.overlap, overlap);
    got = signal.advantages;
    tf.dispose([s, ...ts]);
  }
  const gpuMs = performance.now() - t0;
  compareAdvantages(m, got, want);
  return {
    mismatches: m.count, examples: m.found, maxRelative: m.maxRelative,
    layoutUsed: rowLayout(activeWebGPUBackend()!.device, layoutOptions(c.reduce)).reduce, gpuMs, referenceMs,
    stats: {
      clipped: want.clipped,
      distinctHints: new Set(want.hint).size,
      zeroWeights: want.weights.filter((w) => w === 0).length,
      nanDeltas: want.deltas.filter(Number.isNaN).length,
    },
  };
}

/**
 * tf.addN of `n` seeded [7, 5] tensors on the webgpu backend against a float64 sum: tfjs binds every input, so
 * past the device's storage buffers per shader stage the kernel must sum in parts. Also the tensors it leaves.
 */
async function addNCase(n: number, seed: number): Promise<{ maxError: number; leaked: number; limit: number }> {
  let state = seed;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 8;
  const values = Array.from({ length: n }, () => Float32Array.from({ length: 35 }, random));
  const inputs = values.map((v) => tf.tensor2d(v, [7, 5]));
  const before = tf.memory().numTensors;
  const sum = tf.addN(inputs);
  const got = await sum.data();
  sum.dispose();
  const leaked = tf.memory().numTensors - before;
  tf.dispose(inputs);
  let maxError = 0;
  for (let i = 0; i < 35; i++) maxError = Math.max(maxError, Math.abs(got[i] - values.reduce((a, v) => a + v[i], 0)));
  return { maxError, leaked, limit: activeWebGPUBackend()!.device.limits.maxStorageBuffersPerShaderStage };
}

const harness = { setup, topKCase, advantageCase, addNCase };
export type KernelHarness = typeof harness;
(window as unknown as { kernelHarness: KernelHarness }).kernelHarness = harness;
