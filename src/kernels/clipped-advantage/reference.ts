/**
 * The TypeScript twin of the clipped-advantage kernel: src/rl's `selectHint` (METHOD §4) then
 * `clippedAdvantages` (METHOD §5) at every position, on the student's top-k support set.
 */
import { selectHint, type SelectionMode } from '../../rl/selection.ts';
import { clippedAdvantages } from '../../rl/advantages.ts';
import type { TopKOverlap } from '../top-k-overlap/layout.ts';
import type { DirectiveAdvantages } from './layout.ts';

export interface AdvantageOptions {
  /** Hint selection (METHOD §4). */
  selection: SelectionMode;
  /** C; ≤ 0 disables the clip (METHOD §5). */
  clip: number;
  /** Seed of the `random` selection. */
  seed?: number;
}

/** The per-hint rows O[h][·] of a TopKOverlap, as `selectHint` takes them. */
export function overlapRows(o: TopKOverlap): Int32Array[] {
  return Array.from({ length: o.hints }, (_, h) => o.overlap.subarray(h * o.positions, (h + 1) * o.positions));
}

export function clippedAdvantageReference(o: TopKOverlap, options: AdvantageOptions): DirectiveAdvantages {
  const { positions: T, hints: H, k } = o;
  const selection = selectHint(overlapRows(o), options.selection, { seed: options.seed });
  const n = T * k;
  const r: DirectiveAdvantages = {
    positions: T, hints: H, k, hint: selection.perPosition, sums: selection.sums,
    weights: new Float32Array(n), deltas: new Float32Array(n), advantages: new Float32Array(n), teacherLogProbs: new Float32Array(n),
    clipped: 0,
  };
  for (let i = 0; i < T; i++) {
    const h = selection.perPosition[i];
    const lOld = o.studentLogProbs.subarray(i * k, (i + 1) * k);
    const lTeacher = o.teacherLogProbsAtStudent.subarray((h * T + i) * k, (h * T + i + 1) * k);
    const a = clippedAdvantages(lOld, lTeacher, options.clip);
    r.weights.set(a.weights, i * k);
    r.deltas.set(a.deltas, i * k);
    r.advantages.set(a.advantages, i * k);
    r.teacherLogProbs.set(lTeacher, i * k);
    r.clipped += a.clipped;
  }
  return r;
}
