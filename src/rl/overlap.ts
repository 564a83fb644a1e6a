/**
 * `overlapCounts(studentTopK, teacherTopKs)`: `O[h][i] = |Sq_i ∩ Sp_{h,i}|` (METHOD §4), an integer
 * 0..k, not normalised.
 *
 * @param studentTopK  `[i]` the student's top-k token ids at response position i (π_old, original context).
 * @param teacherTopKs `[h][i]` the teacher's top-k ids at position i under hint candidate h.
 * @returns `[h]` an Int32Array over positions i.
 */
export function overlapCounts(studentTopK: Int32Array[], teacherTopKs: Int32Array[][]): Int32Array[] {
  const positions = studentTopK.length;
  return teacherTopKs.map((teacher, h) => {
    if (teacher.length !== positions) {
      throw new RangeError(`overlapCounts: hint ${h} has ${teacher.length} positions, the student has ${positions}`);
    }
    const counts = new Int32Array(positions);
    for (let i = 0; i < positions; i++) counts[i] = intersectionSize(studentTopK[i], teacher[i]);
    return counts;
  });
}

/** Number of distinct ids of `a` that also occur in `b` (top-k sets are tiny: a double loop is fastest). */
function intersectionSize(a: Int32Array, b: Int32Array): number {
  let count = 0;
  for (let x = 0; x < a.length; x++) {
    let duplicate = false;
    for (let y = 0; y < x && !duplicate; y++) duplicate = a[y] === a[x];
    if (duplicate) continue;
    for (let y = 0; y < b.length; y++) {
      if (b[y] === a[x]) {
        count++;
        break;
      }
    }
  }
  return count;
}
