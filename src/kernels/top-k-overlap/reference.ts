/**
 * The TypeScript twin of the top-k overlap kernel: the same outputs composed from src/rl's `topK` and
 * `overlapCounts` (METHOD §4), in float64 arithmetic. The kernels are tested against this.
 */
import { topK } from '../../rl/topk.ts';
import { overlapCounts } from '../../rl/overlap.ts';
import type { TopKOverlap } from './layout.ts';

/**
 * log Σ exp(x) of one row, in float64. Documented special cases (the kernel does the same):
 * any NaN → NaN; else any +∞ → +∞; else all −∞ (or an empty row) → −∞.
 */
export function logSumExp(row: ArrayLike<number>): number {
  let max = -Infinity;
  for (let j = 0; j < row.length; j++) {
    const x = row[j];
    if (Number.isNaN(x)) return NaN;
    if (x > max) max = x;
  }
  if (max === Infinity || max === -Infinity) return max;
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp(row[j] - max);
  return max + Math.log(sum);
}

/**
 * @param student  `[T·V]` the student's logits (temperature applied), row-major.
 * @param teachers `[h]` one `[T·V]` array per hint candidate.
 */
export function topKOverlapReference(student: Float32Array, teachers: Float32Array[], positions: number, vocab: number, k: number): TopKOverlap {
  const T = positions;
  const H = teachers.length;
  const kk = Math.min(k, vocab);
  const rowOf = (a: Float32Array, i: number) => a.subarray(i * vocab, (i + 1) * vocab);
  const r: TopKOverlap = {
    positions: T, hints: H, k: kk,
    studentLogSumExp: new Float32Array(T), studentIds: new Int32Array(T * kk), studentLogProbs: new Float32Array(T * kk),
    teacherLogSumExp: new Float32Array(H * T), teacherIds: new Int32Array(H * T * kk),
    teacherLogProbs: new Float32Array(H * T * kk), overlap: new Int32Array(H * T),
    teacherLogProbsAtStudent: new Float32Array(H * T * kk),
  };
  const studentTop: Int32Array[] = [];
  for (let i = 0; i < T; i++) {
    const row = rowOf(student, i);
    const lse = logSumExp(row);
    const top = topK(row, kk);
    studentTop.push(top.ids);
    r.studentLogSumExp[i] = lse;
    r.studentIds.set(top.ids, i * kk);
    top.values.forEach((x, j) => (r.studentLogProbs[i * kk + j] = x - lse));
  }
  const teacherTop = teachers.map((teacher, h) =>
    Array.from({ length: T }, (_, i) => {
      const row = rowOf(teacher, i);
      const lse = logSumExp(row);
      const top = topK(row, kk);
      const at = (h * T + i) * kk;
      r.teacherLogSumExp[h * T + i] = lse;
      r.teacherIds.set(top.ids, at);
      top.values.forEach((x, j) => (r.teacherLogProbs[at + j] = x - lse));
      studentTop[i].forEach((id, j) => (r.teacherLogProbsAtStudent[at + j] = row[id] - lse));
      return top.ids;
    }),
  );
  overlapCounts(studentTop, teacherTop).forEach((counts, h) => r.overlap.set(counts, h * T));
  return r;
}
