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
import { turnSeed } from '../rl/sample.ts';
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
    path: 'reference',
  };
}
