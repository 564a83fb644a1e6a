/**
 * The directive signal's numbers for one turn on the reference path (METHOD §4–5): global log-prob rows
 * of the student (original context) and of the teacher under each hint, then top-k, O[h,i], selection,
 * support and clipped advantages, kept for the token inspector.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../model/policy.ts';
import { topK } from '../rl/topk.ts';
import { overlapCounts } from '../rl/overlap.ts';
import { selectHint, supportSet } from '../rl/selection.ts';
import { clippedAdvantages } from '../rl/advantages.ts';
import { turnSeed, type SupportAtPosition } from '../rl/sample.ts';
import { directiveSignal } from '../kernels/directive-signal.ts';
import type { Settings } from '../rl/settings.ts';
import type { OverlapReport } from './protocol.ts';

/** [T·V] global log-probs (log-softmax of logits / temperature) of `policy` at each response position. */
export async function logprobRows(policy: Policy, contextIds: number[], responseIds: number[], temperature: number): Promise<Float32Array> {
  const rows = tf.tidy(() => tf.logSoftmax(policy.responseLogits(contextIds, responseIds, temperature)));
  const data = (await rows.data()) as Float32Array;
  rows.dispose();
  return data;
}

function row(flat: Float32Array, i: number, V: number): Float32Array {
  return flat.subarray(i * V, (i + 1) * V);
}

/** What the inspector shows: the same selection `buildSample` makes, with the per-position numbers. */
export function overlapReport(
  student: Float32Array,
  teachers: Float32Array[],
  T: number,
  V: number,
  settings: Pick<Settings, 'k' | 'selection' | 'support' | 'seed' | 'C'>,
  sessionId: string,
  turn: number,
): OverlapReport {
  const studentTop = Array.from({ length: T }, (_, i) => topK(row(student, i, V), settings.k));
  const teacherTop = teachers.map((t) => Array.from({ length: T }, (_, i) => topK(row(t, i, V), settings.k)));
  const overlap = overlapCounts(studentTop.map((s) => s.ids), teacherTop.map((h) => h.map((s) => s.ids)));
  const selection = selectHint(overlap, settings.selection, { seed: turnSeed(settings.seed, sessionId, turn) });
  const deltas: number[][] = [];
  const advantages: number[][] = [];
  for (let i = 0; i < T; i++) {
    const h = selection.perPosition[i];
    const S = supportSet(studentTop[i].ids, teacherTop[h][i].ids, settings.support);
    const lOld = Array.from(S, (v) => student[i * V + v]);
    const lT = Array.from(S, (v) => teachers[h][i * V + v]);
    const a = clippedAdvantages(lOld, lT, settings.C);
    deltas.push(lT.map((x, j) => x - lOld[j]));
    advantages.push(Array.from(a.advantages));
  }
  return {
    k: settings.k,
    overlap: overlap.map((o) => Array.from(o)),
    sums: selection.sums,
    perPosition: Array.from(selection.perPosition),
    studentTop: studentTop.map((s) => ({ ids: Array.from(s.ids), logprobs: Array.from(s.values) })),
    teacherTop: teacherTop.map((h) => h.map((s) => ({ ids: Array.from(s.ids), logprobs: Array.from(s.values) }))),
    deltas,
    advantages,
    clip: settings.C,
    path: 'reference',
  };
}

/**
 * The same numbers from the WGSL kernels (src/kernels/): the logits stay on the GPU, only top-k rows come
 * back. For the default support (the student's top-k) with `sequence` or `token` selection.
 */
export async function directiveOnGpu(
  student: Policy,
  teacher: Policy,
  promptIds: number[],
  teacherContexts: number[][],
  responseIds: number[],
  settings: Pick<Settings, 'k' | 'selection' | 'seed' | 'C' | 'temperature'>,
): Promise<{ positions: SupportAtPosition[]; report: OverlapReport }> {
  const studentLogits = student.responseLogits(promptIds, responseIds, settings.temperature);
  const teacherLogits = teacherContexts.map((ctx) => teacher.responseLogits(ctx, responseIds, settings.temperature));
  try {
    const { overlap: o, advantages: a } = await directiveSignal(studentLogits, teacherLogits, { k: settings.k, selection: settings.selection, clip: settings.C, seed: settings.seed });
    const k = o.k;
    const T = o.positions;
    const span = (arr: ArrayLike<number>, at: number) => Array.from(arr as Float32Array).slice(at * k, (at + 1) * k);
    const positions: SupportAtPosition[] = Array.from({ length: T }, (_, i) => ({
      hint: a.hint[i],
      ids: span(o.studentIds, i),
      oldLogprobs: span(o.studentLogProbs, i),
      teacherLogprobs: span(a.teacherLogProbs, i),
    }));
    const report: OverlapReport = {
      k,
      overlap: Array.from({ length: o.hints }, (_, h) => Array.from(o.overlap.subarray(h * T, (h + 1) * T))),
      sums: a.sums,
      perPosition: Array.from(a.hint),
      studentTop: Array.from({ length: T }, (_, i) => ({ ids: span(o.studentIds, i), logprobs: span(o.studentLogProbs, i) })),
      teacherTop: Array.from({ length: o.hints }, (_, h) =>
        Array.from({ length: T }, (_, i) => ({ ids: span(o.teacherIds, h * T + i), logprobs: span(o.teacherLogProbs, h * T + i) })),
      ),
      deltas: positions.map((p) => p.teacherLogprobs.map((x, j) => x - p.oldLogprobs[j])),
      advantages: Array.from({ length: T }, (_, i) => span(a.advantages, i)),
      clip: settings.C,
      path: 'kernels',
    };
    return { positions, report };
  } finally {
    studentLogits.dispose();
    teacherLogits.forEach((t) => t.dispose());
  }
}
