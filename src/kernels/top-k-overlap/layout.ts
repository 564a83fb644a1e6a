/**
 * The top-k overlap statistics of one turn (METHOD §4) as the kernels return them, and the packed GPU
 * row layout they travel in (u32 words; floats as their f32 bits, so NaN and ±inf survive unchanged):
 * - student row i:           [lse, k ids, k log-probs]                                  (1 + 2k words)
 * - teacher row h·T + i:     [lse, k ids, k log-probs, O[h,i], k log-probs at Sq_i]     (2 + 3k words)
 */
export interface TopKOverlap {
  /** T, response positions. */
  positions: number;
  /** H, hint candidates. */
  hints: number;
  /** min(k asked for, V). */
  k: number;
  /** `[i]` log-sum-exp of the student's row (π_old, original context). */
  studentLogSumExp: Float32Array;
  /** `[i·k + j]` Sq_i, best first (ties to the lower id). */
  studentIds: Int32Array;
  /** `[i·k + j]` l_old at Sq_i. */
  studentLogProbs: Float32Array;
  /** `[h·T + i]` log-sum-exp of the teacher's row under hint h. */
  teacherLogSumExp: Float32Array;
  /** `[(h·T + i)·k + j]` Sp_{h,i}. */
  teacherIds: Int32Array;
  /** `[(h·T + i)·k + j]` l_T at Sp_{h,i}. */
  teacherLogProbs: Float32Array;
  /** `[h·T + i]` O[h,i] = |Sq_i ∩ Sp_{h,i}|. */
  overlap: Int32Array;
  /** `[(h·T + i)·k + j]` l_T under hint h at the student's ids Sq_i. */
  teacherLogProbsAtStudent: Float32Array;
}

export const studentStride = (k: number): number => 1 + 2 * k;
export const teacherStride = (k: number): number => 2 + 3 * k;

/** Unpacks the kernel's rows (read back as Int32Array) into a TopKOverlap. */
export function decodeTopKOverlap(studentRows: Int32Array, teacherRows: Int32Array, positions: number, hints: number, k: number): TopKOverlap {
  const T = positions;
  const S = studentStride(k);
  const P = teacherStride(k);
  const bits = (a: Int32Array) => new Float32Array(a.buffer, a.byteOffset, a.length);
  const sf = bits(studentRows);
  const tf = bits(teacherRows);
  const r: TopKOverlap = {
    positions, hints, k,
    studentLogSumExp: new Float32Array(T), studentIds: new Int32Array(T * k), studentLogProbs: new Float32Array(T * k),
    teacherLogSumExp: new Float32Array(hints * T), teacherIds: new Int32Array(hints * T * k),
    teacherLogProbs: new Float32Array(hints * T * k), overlap: new Int32Array(hints * T),
    teacherLogProbsAtStudent: new Float32Array(hints * T * k),
  };
  for (let i = 0; i < T; i++) {
    r.studentLogSumExp[i] = sf[i * S];
    r.studentIds.set(studentRows.subarray(i * S + 1, i * S + 1 + k), i * k);
    r.studentLogProbs.set(sf.subarray(i * S + 1 + k, i * S + 1 + 2 * k), i * k);
  }
  for (let row = 0; row < hints * T; row++) {
    const o = row * P;
    r.teacherLogSumExp[row] = tf[o];
    r.teacherIds.set(teacherRows.subarray(o + 1, o + 1 + k), row * k);
    r.teacherLogProbs.set(tf.subarray(o + 1 + k, o + 1 + 2 * k), row * k);
    r.overlap[row] = teacherRows[o + 1 + 2 * k];
    r.teacherLogProbsAtStudent.set(tf.subarray(o + 2 + 2 * k, o + 2 + 3 * k), row * k);
  }
  return r;
}

/** Packs a TopKOverlap into the kernel's rows (to feed the clipped-advantage kernel from CPU data). */
export function encodeTopKOverlap(r: TopKOverlap): { studentRows: Int32Array; teacherRows: Int32Array } {
  const { positions: T, hints: H, k } = r;
  const S = studentStride(k);
  const P = teacherStride(k);
  const studentRows = new Int32Array(T * S);
  const teacherRows = new Int32Array(H * T * P);
  const sf = new Float32Array(studentRows.buffer);
  const tf = new Float32Array(teacherRows.buffer);
  for (let i = 0; i < T; i++) {
    sf[i * S] = r.studentLogSumExp[i];
    studentRows.set(r.studentIds.subarray(i * k, i * k + k), i * S + 1);
    sf.set(r.studentLogProbs.subarray(i * k, i * k + k), i * S + 1 + k);
  }
  for (let row = 0; row < H * T; row++) {
    const o = row * P;
    tf[o] = r.teacherLogSumExp[row];
    teacherRows.set(r.teacherIds.subarray(row * k, row * k + k), o + 1);
    tf.set(r.teacherLogProbs.subarray(row * k, row * k + k), o + 1 + k);
    teacherRows[o + 1 + 2 * k] = r.overlap[row];
    tf.set(r.teacherLogProbsAtStudent.subarray(row * k, row * k + k), o + 2 + 2 * k);
  }
  return { studentRows, teacherRows };
}
