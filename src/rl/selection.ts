import { createRng, randomInt } from '../model/rng.ts';

/** Hint selection modes (METHOD §4; `random` is the paper's ablation). */
export type SelectionMode = 'sequence' | 'token' | 'shortest' | 'random';
export const SELECTION_MODES: readonly SelectionMode[] = ['sequence', 'token', 'shortest', 'random'];

/** Support set modes (METHOD §4). */
export type SupportMode = 'student' | 'teacher' | 'overlap';
export const SUPPORT_MODES: readonly SupportMode[] = ['student', 'teacher', 'overlap'];

export interface HintSelection {
  /** `h*` for each response position i (the same value everywhere except in `token` mode). */
  perPosition: Int32Array;
  /** `Σ_i O[h,i]` for each candidate h. */
  sums: number[];
}

/**
 * `selectHint(overlap, mode, options)`: the selected hint candidate per position (METHOD §4).
 *
 * @param overlap `O[h][i]` from `overlapCounts`; candidates are already shortest first, so every tie goes
 *   to the lower index h. With one candidate it is chosen.
 * @param mode `sequence`: `argmax_h Σ_i O[h,i]`; `token`: `argmax_h O[h,i]` per i; `shortest`: h = 0;
 *   `random`: one h per turn, uniform over the candidates, from `options.seed` (default 0).
 */
export function selectHint(overlap: Int32Array[], mode: SelectionMode, options: { seed?: number } = {}): HintSelection {
  if (overlap.length === 0) throw new RangeError('selectHint: no hint candidates');
  const positions = overlap[0].length;
  for (const row of overlap) {
    if (row.length !== positions) throw new RangeError('selectHint: candidates have different numbers of positions');
  }
  const sums = overlap.map((row) => row.reduce((s, o) => s + o, 0));
  const perPosition = new Int32Array(positions);
  switch (mode) {
    case 'sequence':
      perPosition.fill(argmaxFirst(sums));
      break;
    case 'token':
      for (let i = 0; i < positions; i++) perPosition[i] = argmaxFirst(overlap.map((row) => row[i]));
      break;
    case 'shortest':
      break;
    case 'random':
      perPosition.fill(randomInt(createRng(options.seed ?? 0), overlap.length));
      break;
    default:
      throw new RangeError(`selectHint: unknown mode ${String(mode)}`);
  }
  return { perPosition, sums };
}

/** Index of the largest value; ties to the lowest index. */
function argmaxFirst(values: ArrayLike<number>): number {
  let best = 0;
  for (let h = 1; h < values.length; h++) if (values[h] > values[best]) best = h;
  return best;
}

/**
 * `supportSet(studentIds, teacherIds, mode)`: the support set S_i at one position (METHOD §4).
 * `student` = Sq_i, `teacher` = Sp_{h*,i}, `overlap` = Sq_i ∩ Sp_{h*,i} in the student's order
 * (may be empty: the caller masks that position).
 */
export function supportSet(studentIds: Int32Array, teacherIds: Int32Array, mode: SupportMode): Int32Array {
  switch (mode) {
    case 'student':
      return studentIds.slice();
    case 'teacher':
      return teacherIds.slice();
    case 'overlap':
      return studentIds.filter((id) => teacherIds.includes(id));
    default:
      throw new RangeError(`supportSet: unknown mode ${String(mode)}`);
  }
}
