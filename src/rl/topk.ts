/**
 * Deterministic top-k of one distribution row (METHOD §4: `Sq_i`, `Sp_{h,i}`).
 *
 * Order: descending value; equal values → lower token id first. `-Infinity` is a value like any other
 * (it sorts after every finite value); `NaN` sorts after `-Infinity` (a NaN logit is never preferred).
 */
export interface TopK {
  /** Token ids, best first. */
  ids: Int32Array;
  /** Their values, in the same order. */
  values: Float32Array;
}

/** True when (va, ia) ranks strictly before (vb, ib) under the order documented above. */
function ranksBefore(va: number, ia: number, vb: number, ib: number): boolean {
  const aNaN = Number.isNaN(va);
  const bNaN = Number.isNaN(vb);
  if (aNaN !== bNaN) return bNaN;
  if (!aNaN && va !== vb) return va > vb;
  return ia < ib;
}

/**
 * `topK(row, k)`: the min(k, row.length) highest entries of `row` (METHOD §4), best first, ties to the lower id.
 * `k` must be a non-negative integer; k = 0 gives empty arrays.
 */
export function topK(row: ArrayLike<number>, k: number): TopK {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topK: k must be a non-negative integer, got ${k}`);
  const n = Math.min(k, row.length);
  const ids = new Int32Array(n);
  const values = new Float64Array(n);
  let filled = 0;
  for (let id = 0; id < row.length && n > 0; id++) {
    const v = row[id];
    if (filled === n && !ranksBefore(v, id, values[n - 1], ids[n - 1])) continue;
    // Insertion into the kept prefix: O(V·k), fine for k ≤ ~20.
    let j = filled < n ? filled++ : n - 1;
    while (j > 0 && ranksBefore(v, id, values[j - 1], ids[j - 1])) {
      ids[j] = ids[j - 1];
      values[j] = values[j - 1];
      j--;
    }
    ids[j] = id;
    values[j] = v;
  }
  return { ids, values: Float32Array.from(values) };
}
