/**
 * Grouped-query attention's two ways of computing the products (batched, and one 2-D product per slice, which
 * `wasm` runs at several times the speed), against a float64 reference written with loops: values and the
 * gradients of q, k and v, with grouped heads, left padding, a causal mask and a past cache, at odd sizes.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { attentionMask, groupedQueryAttention } from '../../src/model/attention.ts';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Case {
  batch: number;
  seqLen: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  past: number;
  leftPadding: number[];
}

/** out[b, t, h·hd] and d(Σ out·w)/d(q, k, v) in float64, straight from the definition. */
function reference(c: Case, q: Float64Array, k: Float64Array, v: Float64Array, w: Float64Array) {
  const { batch: B, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D, past: P } = c;
  const L = P + T; // key positions: P past ones, then the T new ones
  const g = H / KV;
  const out = new Float64Array(B * T * H * D);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const qi = (b: number, t: number, h: number, d: number) => ((b * T + t) * H + h) * D + d;
  const ki = (b: number, j: number, h: number, d: number) => ((b * L + j) * KV + h) * D + d;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / g);
      for (let t = 0; t < T; t++) {
        // a padding slot's query sees no key: its scores all sink to the mask's −1e9 and it attends evenly (the
        // gradient still flows through the scores, as through an addition)
        const blind = P + t < c.leftPadding[b];
        const seen = (j: number) => blind || (j <= P + t && j >= c.leftPadding[b]);
        const s = new Float64Array(L);
        let max = -Infinity;
        for (let j = 0; j < L; j++) {
          if (!seen(j)) continue;
          for (let d = 0; d < D; d++) s[j] += q[qi(b, t, h, d)] * k[ki(b, j, kv, d)];
          max = Math.max(max, s[j]);
        }
        const p = new Float64Array(L);
        let z = 0;
        for (let j = 0; j < L; j++) if (seen(j)) z += p[j] = blind ? 1 : Math.exp(s[j] - max);
        for (let j = 0; j < L; j++) p[j] /= z;
        const dp = new Float64Array(L);
        for (let d = 0; d < D; d++) {
          const o = qi(b, t, h, d);
          for (let j = 0; j < L; j++) {
            out[o] += p[j] * v[ki(b, j, kv, d)];
            dv[ki(b, j, kv, d)] += p[j] * w[o];
            dp[j] += w[o] * v[ki(b, j, kv, d)];
          }
        }
        let dot = 0;
        for (let j = 0; j < L; j++) dot += p[j] * dp[j];
        for (let j = 0; j < L; j++) {
          const ds = p[j] * (dp[j] - dot);
          for (let d = 0; d < D; d++) {
            dq[qi(b, t, h, d)] += ds * k[ki(b, j, kv, d)];
            dk[ki(b, j, kv, d)] += ds * q[qi(b, t, h, d)];
          }
        }
      }
    }
  }
  return { out, dq, dk, dv };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function check(c: Case, seed: number) {
  const r = rng(seed);
  const { batch: B, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D, past: P } = c;
  const L = P + T;
  const draw = (n: number) => Float64Array.from({ length: n }, () => 2 * r());
  const q = draw(B * T * H * D);
  const k = draw(B * L * KV * D);
  const v = draw(B * L * KV * D);
  const w = draw(B * T * H * D);
  const ref = reference(c, q, k, v, w);
  // the past keys and values as the cache holds them: [B·kv, P, hd]
  const cacheOf = (x: Float64Array) =>
    tf.tidy(() => tf.reshape(tf.transpose(tf.slice(tf.tensor4d(Float32Array.from(x), [B, L, KV, D]), [0, 0, 0, 0], [B, P, KV, D]), [0, 2, 1, 3]), [B * KV, P, D]) as tf.Tensor3D);
  const newOf = (x: Float64Array) => tf.tidy(() => tf.slice(tf.tensor4d(Float32Array.from(x), [B, L, KV, D]), [0, P, 0, 0], [B, T, KV, D]) as tf.Tensor4D);
  const past = P > 0 ? { k: cacheOf(k), v: cacheOf(v) } : undefined;
  const mask = attentionMask(P, T, L, H / KV, c.leftPadding);
  const shape = { batch: B, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D };
  const weights = tf.tensor2d(Float32Array.from(w), [B * T, H * D]);
  for (const planar of [false, true]) {
    const qt = tf.tensor4d(Float32Array.from(q), [B, T, H, D]);
    const kt = newOf(k);
    const vt = newOf(v);
    const f = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(groupedQueryAttention(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, shape, mask, past, planar).merged, weights));
    const merged = groupedQueryAttention(qt, kt, vt, shape, mask, past, planar).merged;
    const [gq, gk, gv] = tf.grads(f)([qt, kt, vt]);
    const tol = 2e-5;
    expect(maxDiff(await merged.data(), ref.out), `values, planar ${planar}`).toBeLessThan(tol);
    expect(maxDiff(await gq.data(), ref.dq), `dq, planar ${planar}`).toBeLessThan(tol);
    // the new positions' key and value gradients (the cache's are not inputs here)
    const fresh = (x: Float64Array) => Array.from(x).filter((_, i) => Math.floor(i / (KV * D)) % L >= P);
    expect(maxDiff(await gk.data(), fresh(ref.dk)), `dk, planar ${planar}`).toBeLessThan(tol);
    expect(maxDiff(await gv.data(), fresh(ref.dv)), `dv, planar ${planar}`).toBeLessThan(tol);
    tf.dispose([qt, kt, vt, merged, gq, gk, gv]);
  }
  tf.dispose([weights, ...(mask ? [mask] : []), ...(past ? [past.k, past.v] : [])]);
}

describe('groupedQueryAttention, batched and planar', () => {
  it('matches a float64 reference with grouped heads and left padding', async () => {
    await check({ batch: 3, seqLen: 7, nHeads: 6, nKvHeads: 2, headDim: 5, past: 0, leftPadding: [0, 2, 6] }, 1);
  });
  it('matches it with one key/value head per query head, a single row and a past cache', async () => {
    await check({ batch: 1, seqLen: 5, nHeads: 3, nKvHeads: 3, headDim: 4, past: 4, leftPadding: [0] }, 2);
    await check({ batch: 2, seqLen: 3, nHeads: 4, nKvHeads: 1, headDim: 3, past: 2, leftPadding: [1, 0] }, 3);
  });
});
