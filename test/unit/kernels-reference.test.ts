/**
 * The kernels' TypeScript twins and their CPU fallback, in Node: the reference against brute force written
 * independently here, the packed row layout round trip, and the `wasm`-backend path of the wrappers.
 * (The WGSL itself is tested against these twins in Chromium: test/browser/kernels-*.spec.ts.)
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../src/model/rng.ts';
import { logSumExp, topKOverlapReference } from '../../src/kernels/top-k-overlap/reference.ts';
import { decodeTopKOverlap, encodeTopKOverlap } from '../../src/kernels/top-k-overlap/layout.ts';
import { topKOverlap } from '../../src/kernels/top-k-overlap/index.ts';
import { clippedAdvantageReference } from '../../src/kernels/clipped-advantage/reference.ts';
import { directiveSignal } from '../../src/kernels/directive-signal.ts';

function randomLogits(n: number, seed: number, levels = 0): Float32Array {
  const rng = createRng(seed);
  const specials = [-Infinity, NaN, 1e30, -1e30, -0, 0];
  return Float32Array.from({ length: n }, () => {
    if (rng() < 0.08) return specials[Math.floor(rng() * specials.length)];
    return levels ? Math.floor(rng() * levels) : (rng() - 0.5) * 12;
  });
}

/** Brute-force order: value descending, NaN last, ties to the lower id. */
function bruteTopK(row: Float32Array, k: number): number[] {
  const rank = (v: number) => (Number.isNaN(v) ? -Infinity : v);
  const ids = Array.from(row.keys());
  ids.sort((a, b) => {
    const an = Number.isNaN(row[a]);
    const bn = Number.isNaN(row[b]);
    if (an !== bn) return an ? 1 : -1;
    return rank(row[b]) - rank(row[a]) || a - b;
  });
  return ids.slice(0, k);
}

/** Equal as f32 log-probs: NaN only to NaN, infinities exactly, else within 1e-5. */
function expectLogProb(got: number, want: number): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))).toBe(true);
  else expect(got).toBeCloseTo(want, 5);
}

describe('logSumExp (reference)', () => {
  it('matches log(Σ exp) on ordinary rows and stays finite at ±1e30', () => {
    const row = randomLogits(50, 1).map((x) => (Number.isFinite(x) && Math.abs(x) < 1e29 ? x : 0.5));
    expect(logSumExp(row)).toBeCloseTo(Math.log(row.reduce((s, x) => s + Math.exp(x), 0)), 10);
    expect(logSumExp([1e30, -1e30, 3])).toBe(1e30);
    expect(logSumExp([1e30, 1e30])).toBeCloseTo(1e30 + Math.LN2, -15);
  });
  it('documents the special cases: NaN wins, then +∞, and all −∞ gives −∞', () => {
    expect(logSumExp([1, NaN, Infinity])).toBeNaN();
    expect(logSumExp([1, Infinity, -Infinity])).toBe(Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([])).toBe(-Infinity);
  });
});

describe('topKOverlapReference', () => {
  const T = 9;
  const V = 37;
  const H = 3;
  for (const [k, levels] of [[4, 0], [20, 5], [37, 0]] as const) {
    it(`agrees with brute force (k=${k}${levels ? ', heavy ties' : ''})`, () => {
      const student = randomLogits(T * V, 10 + k, levels);
      const teachers = Array.from({ length: H }, (_, h) => randomLogits(T * V, 20 + k + h, levels));
      const r = topKOverlapReference(student, teachers, T, V, k);
      for (let i = 0; i < T; i++) {
        const sRow = student.subarray(i * V, (i + 1) * V);
        const sIds = bruteTopK(sRow, k);
        expect(Array.from(r.studentIds.subarray(i * k, (i + 1) * k))).toEqual(sIds);
        const lse = logSumExp(sRow);
        sIds.forEach((id, j) => expectLogProb(r.studentLogProbs[i * k + j], Math.fround(sRow[id] - lse)));
        for (let h = 0; h < H; h++) {
          const tRow = teachers[h].subarray(i * V, (i + 1) * V);
          const tIds = bruteTopK(tRow, k);
          const at = (h * T + i) * k;
          expect(Array.from(r.teacherIds.subarray(at, at + k))).toEqual(tIds);
          expect(r.overlap[h * T + i]).toBe(sIds.filter((id) => tIds.includes(id)).length);
          const tLse = logSumExp(tRow);
          sIds.forEach((id, j) => expectLogProb(r.teacherLogProbsAtStudent[at + j], Math.fround(tRow[id] - tLse)));
        }
      }
    });
  }

  it('caps k at the vocabulary size', () => {
    const r = topKOverlapReference(randomLogits(2 * 3, 5), [randomLogits(2 * 3, 6)], 2, 3, 32);
    expect(r.k).toBe(3);
    expect(r.studentIds.length).toBe(6);
  });
});

describe('packed rows (layout.ts)', () => {
  it('decode(encode(x)) is x, bit for bit, NaN and ±∞ included', () => {
    const r = topKOverlapReference(randomLogits(5 * 11, 7), [randomLogits(5 * 11, 8), randomLogits(5 * 11, 9)], 5, 11, 4);
    const packed = encodeTopKOverlap(r);
    expect(packed.studentRows.length).toBe(5 * (1 + 2 * 4));
    expect(packed.teacherRows.length).toBe(2 * 5 * (2 + 3 * 4));
    const back = decodeTopKOverlap(packed.studentRows, packed.teacherRows, 5, 2, 4);
    const bits = (a: Float32Array | Int32Array) => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));
    for (const key of Object.keys(r) as (keyof typeof r)[]) {
      const a = r[key];
      const b = back[key];
      if (typeof a === 'number') expect(b).toBe(a);
      else expect(bits(b as Float32Array)).toEqual(bits(a));
    }
  });
});

describe('wrappers on a non-webgpu backend (wasm): the reference path', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('gives the same result for H separate teacher tensors and one [H,T,V] tensor', async () => {
    const T = 6;
    const V = 50;
    const student = randomLogits(T * V, 31);
    const teachers = [randomLogits(T * V, 32), randomLogits(T * V, 33)];
    const s = tf.tensor2d(student, [T, V]);
    const list = teachers.map((t) => tf.tensor2d(t, [T, V]));
    const stacked = tf.tensor3d(Float32Array.from([...teachers[0], ...teachers[1]]), [2, T, V]);
    const a = await topKOverlap(s, list, 4);
    const b = await topKOverlap(s, stacked, 4);
    expect(b).toEqual(a);
    expect(a).toEqual(topKOverlapReference(student, teachers, T, V, 4));
    tf.dispose([s, ...list, stacked]);
  });

  it('directiveSignal composes the overlap and the advantages; token mode picks argmax_h O[h,i] per position', async () => {
    const T = 8;
    const V = 30;
    const student = randomLogits(T * V, 41);
    const teachers = [0, 1, 2].map((h) => randomLogits(T * V, 42 + h));
    const s = tf.tensor2d(student, [T, V]);
    const list = teachers.map((t) => tf.tensor2d(t, [T, V]));
    const { overlap, advantages } = await directiveSignal(s, list, { k: 4, selection: 'token', clip: 1 });
    expect(advantages).toEqual(clippedAdvantageReference(overlap, { selection: 'token', clip: 1 }));
    for (let i = 0; i < T; i++) {
      const o = [0, 1, 2].map((h) => overlap.overlap[h * T + i]);
      expect(advantages.hint[i]).toBe(o.indexOf(Math.max(...o)));
    }
    expect(advantages.sums).toEqual([0, 1, 2].map((h) => overlap.overlap.subarray(h * T, (h + 1) * T).reduce((x, y) => x + y, 0)));
    tf.dispose([s, ...list]);
  });
});
