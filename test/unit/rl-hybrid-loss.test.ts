import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { hybridLoss, type LossSettings } from '../../src/rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../../src/rl/sample-batch.ts';
import type { SampleCase, SampleRecord } from '../../src/rl/records.ts';
import type { TrainingSample } from '../../src/rl/staleness.ts';
import { createRng, type Rng } from '../../src/model/rng.ts';

const BASE: LossSettings = { temperature: 0.6, epsLo: 0.2, epsHi: 0.28, wRL: 1, wOPD: 1, klCoef: 0, entropyCoef: 0 };

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

/** Global log-softmax of logits/temperature for row (n, t), in float64. */
function logSoftmaxRow(logits: Float64Array, V: number, row: number, temperature: number): number[] {
  const z = Array.from(logits.subarray(row * V, (row + 1) * V), (x) => x / temperature);
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
  return z.map((x) => x - lse);
}

/** METHOD §5–6 evaluated directly, loop by loop, in float64: independent of the tfjs code. */
function directLoss(logits: Float64Array, T: number, V: number, samples: TrainingSample[], s: LossSettings, C: number, ref?: number[][]): number {
  const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  const surrogate = (lp: number, old: number, a: number) => {
    const rho = Math.exp(clip(lp - old, -20, 20));
    return Math.max(-a * rho, -a * clip(rho, 1 - s.epsLo, 1 + s.epsHi));
  };
  let total = 0;
  samples.forEach((sample, n) => {
    let sum = 0;
    let count = 0;
    sample.response_ids.forEach((id, t) => {
      if (!sample.loss_mask[t]) return;
      const lp = logSoftmaxRow(logits, V, n * T + t, s.temperature);
      let L = 0;
      // METHOD §7: π_old of a recomputed sample is the proximal policy's.
      if (sample.case !== 'opd') L += s.wRL * surrogate(lp[id], (sample.proximal_logprobs ?? sample.response_logprobs)[t], sample.reward.score);
      if (sample.case !== 'grpo') {
        const old = sample.old_logprobs_at_support[t];
        const z = old.reduce((acc, l) => acc + Math.exp(l), 0);
        sample.support_ids[t].forEach((v, j) => {
          let d = sample.teacher_logprobs_at_support[t][j] - old[j];
          if (C > 0) d = clip(d, -C, C);
          L += s.wOPD * surrogate(lp[v], old[j], (d * Math.exp(old[j])) / z);
        });
      }
      L *= sample.behaviour_weights?.[t] ?? 1;
      if (ref) L += s.klCoef * (Math.exp(-(lp[id] - ref[n][t])) - 1 + (lp[id] - ref[n][t]));
      L -= s.entropyCoef * -lp.reduce((acc, l) => acc + Math.exp(l) * l, 0);
      sum += L;
      count++;
    });
    total += count > 0 ? sum / count : 0;
  });
  return total / samples.length;
}

/** A random sample whose old log-probs sit near the current ones, so some ratios fall inside the clip and some outside. */
function randomSample(rng: Rng, which: SampleCase, n: number, length: number, T: number, V: number, logits: Float64Array): SampleRecord {
  const noise = () => (rng() - 0.5) * 1.2;
  const score = which === 'opd' ? 0 : rng() < 0.5 ? -1 : 1;
  const record: SampleRecord = {
    session_id: 's', turn: n + 1, policy_version: 0, case: which, prompt_ids: [1], response_ids: [], response_logprobs: [],
    loss_mask: [], reward: { score }, hints: which === 'grpo' ? [] : ['a hint here'], hint: which === 'grpo' ? null : 'a hint here',
    hint_index: [], support_ids: [], old_logprobs_at_support: [], teacher_logprobs_at_support: [],
  };
  for (let t = 0; t < length; t++) {
    const lp = logSoftmaxRow(logits, V, n * T + t, BASE.temperature);
    const id = Math.floor(rng() * V);
    record.response_ids.push(id);
    record.response_logprobs.push(lp[id] + noise());
    record.loss_mask.push(t === 1 && length > 2 ? 0 : 1);
    record.hint_index.push(which === 'grpo' ? -1 : 0);
    const size = which === 'grpo' ? 0 : 1 + Math.floor(rng() * 3);
    const ids = Array.from({ length: V }, (_, v) => v).sort(() => rng() - 0.5).slice(0, size);
    record.support_ids.push(ids);
    record.old_logprobs_at_support.push(ids.map((v) => lp[v] + noise()));
    record.teacher_logprobs_at_support.push(ids.map((v) => lp[v] + 3 * noise()));
  }
  return record;
}

function randomLogits(rng: Rng, size: number): Float64Array {
  return Float64Array.from({ length: size }, () => Math.fround((rng() - 0.5) * 3));
}

async function lossAndGrad(logits: Float64Array, shape: [number, number, number], samples: TrainingSample[], s: LossSettings, C: number, ref?: number[][]) {
  const batch = batchFromSamples(samples, { C }, { length: shape[1], refLogprobs: ref });
  const x = tf.tensor3d(Float32Array.from(logits), shape);
  const { value, grad: grads } = tf.valueAndGrad((t: tf.Tensor) => hybridLoss(t as tf.Tensor3D, batch, s).loss)(x);
  const result = { value: (await value.data())[0], grad: Float64Array.from(await grads.data()) };
  tf.dispose([x, value, grads]);
  disposeBatch(batch);
  return result;
}

/** Central finite differences of the direct float64 evaluation. */
function finiteDifferences(logits: Float64Array, f: (x: Float64Array) => number, h = 1e-6): Float64Array {
  const g = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const plus = logits.slice();
    const minus = logits.slice();
    plus[i] += h;
    minus[i] -= h;
    g[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return g;
}

describe('hybridLoss (METHOD §6)', () => {
  it('hand-computed: one token, two-token vocabulary, combined case', async () => {
    // lp = log ½ for both tokens, old = log ½ → ρ = 1; r = 1 → L_GRPO = −1.
    // S = {0, 1}, w = ½, ½; teacher log .8, .2 → A = ½ln1.6, ½ln0.4 → L_OPD = −½ln(0.64).
    const sample: SampleRecord = {
      session_id: 's', turn: 1, policy_version: 0, case: 'combined', prompt_ids: [0], response_ids: [0],
      response_logprobs: [Math.log(0.5)], loss_mask: [1], reward: { score: 1 }, hints: ['be short, please'], hint: 'be short, please',
      hint_index: [0], support_ids: [[0, 1]], old_logprobs_at_support: [[Math.log(0.5), Math.log(0.5)]],
      teacher_logprobs_at_support: [[Math.log(0.8), Math.log(0.2)]],
    };
    const batch = batchFromSamples([sample], { C: 1 });
    const out = hybridLoss(tf.zeros([1, 1, 2]) as tf.Tensor3D, batch, BASE);
    expect((await out.terms.grpo.data())[0]).toBeCloseTo(-1, 6);
    expect((await out.terms.opd.data())[0]).toBeCloseTo(-0.5 * Math.log(0.64), 6);
    expect((await out.loss.data())[0]).toBeCloseTo(-1 - 0.5 * Math.log(0.64), 6);
    disposeBatch(batch);
  });

  it('hand-computed: the ratio clip bounds the GRPO term', async () => {
    // old = lp − 1 → ρ = e; r = 1 → max(−e, −1.28) = −1.28; r = −1 → max(e, 1.28) = e.
    const lp = Math.log(0.5);
    const make = (score: -1 | 1): SampleRecord => ({
      session_id: 's', turn: 1, policy_version: 0, case: 'grpo', prompt_ids: [0], response_ids: [1], response_logprobs: [lp - 1],
      loss_mask: [1], reward: { score }, hints: [], hint: null, hint_index: [-1], support_ids: [[]], old_logprobs_at_support: [[]],
      teacher_logprobs_at_support: [[]],
    });
    const batch = batchFromSamples([make(1), make(-1)], { C: 1 });
    const out = hybridLoss(tf.zeros([2, 1, 2]) as tf.Tensor3D, batch, { ...BASE, temperature: 1 });
    expect((await out.loss.data())[0]).toBeCloseTo((-1.28 + Math.E) / 2, 5);
    disposeBatch(batch);
  });

  for (const which of ['combined', 'opd', 'grpo', 'mixed'] as const) {
    it(`value matches the direct evaluation and the gradient matches finite differences (${which})`, async () => {
      const rng = createRng(which.length * 101);
      const [N, T, V] = [3, 4, 6];
      const logits = randomLogits(rng, N * T * V);
      const cases: SampleCase[] = which === 'mixed' ? ['combined', 'opd', 'grpo'] : [which, which, which];
      const samples = cases.map((c, n) => randomSample(rng, c, n, n === 0 ? T - 1 : T, T, V, logits));
      for (const C of [1, 0]) {
        const { value, grad } = await lossAndGrad(logits, [N, T, V], samples, BASE, C);
        const f = (x: Float64Array) => directLoss(x, T, V, samples, BASE, C);
        expect(value).toBeCloseTo(f(logits), 5);
        const fd = finiteDifferences(logits, f);
        let nonZero = 0;
        for (let i = 0; i < fd.length; i++) {
          expect(Math.abs(grad[i] - fd[i])).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd[i]));
          if (Math.abs(fd[i]) > 1e-3) nonZero++;
        }
        expect(nonZero).toBeGreaterThan(10);
      }
    });
  }

  it('the decoupled objective (METHOD §7): proximal π_old and behaviour weights, value and gradient', async () => {
    const rng = createRng(321);
    const [N, T, V] = [3, 4, 6];
    const logits = randomLogits(rng, N * T * V);
    const samples: TrainingSample[] = (['combined', 'grpo', 'opd'] as SampleCase[]).map((c, n) => randomSample(rng, c, n, T, T, V, logits));
    // Two stale samples with their proximal numbers (one weight at the cap 2), one fresh sample without.
    for (const s of samples.slice(0, 2)) {
      s.proximal_logprobs = s.response_logprobs.map((l) => l + (rng() - 0.5) * 0.5);
      s.behaviour_weights = s.response_ids.map(() => 0.2 + rng() * 1.6);
    }
    samples[0].behaviour_weights![0] = 2;
    const s: LossSettings = { ...BASE, klCoef: 0.3, entropyCoef: 0.1 };
    const ref = samples.map((x, n) => x.response_ids.map((id, t) => logSoftmaxRow(logits, V, n * T + t, 0.6)[id] + (rng() - 0.5)));
    const { value, grad } = await lossAndGrad(logits, [N, T, V], samples, s, 1, ref);
    const f = (x: Float64Array) => directLoss(x, T, V, samples, s, 1, ref);
    expect(value).toBeCloseTo(f(logits), 5);
    const unweighted = directLoss(logits, T, V, samples.map(({ behaviour_weights: _w, proximal_logprobs: _p, ...x }) => x), s, 1, ref);
    expect(Math.abs(value - unweighted)).toBeGreaterThan(1e-3);
    const fd = finiteDifferences(logits, f);
    for (let i = 0; i < fd.length; i++) expect(Math.abs(grad[i] - fd[i])).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd[i]));
  });

  it('the k3 KL and the entropy bonus: value and gradient', async () => {
    const rng = createRng(77);
    const [N, T, V] = [2, 3, 5];
    const logits = randomLogits(rng, N * T * V);
    const samples = [randomSample(rng, 'combined', 0, T, T, V, logits), randomSample(rng, 'grpo', 1, 2, T, V, logits)];
    const ref = samples.map((s, n) => s.response_ids.map((id, t) => logSoftmaxRow(logits, V, n * T + t, 0.6)[id] + (rng() - 0.5)));
    const s: LossSettings = { ...BASE, wRL: 0.7, wOPD: 1.3, klCoef: 0.5, entropyCoef: 0.2 };
    const { value, grad } = await lossAndGrad(logits, [N, T, V], samples, s, 1, ref);
    const f = (x: Float64Array) => directLoss(x, T, V, samples, s, 1, ref);
    expect(value).toBeCloseTo(f(logits), 5);
    const fd = finiteDifferences(logits, f);
    for (let i = 0; i < fd.length; i++) expect(Math.abs(grad[i] - fd[i])).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd[i]));
  });

  it('property: with w_OPD = 0 the loss and its gradient are the GRPO term exactly (seeded random batches)', async () => {
    const rng = createRng(9);
    for (let trial = 0; trial < 5; trial++) {
      const [N, T, V] = [4, 5, 7];
      const logits = randomLogits(rng, N * T * V);
      const samples = (['combined', 'opd', 'grpo', 'combined'] as SampleCase[]).map((c, n) => randomSample(rng, c, n, T, T, V, logits));
      const scrambled = samples.map((s) => ({ ...s, teacher_logprobs_at_support: s.teacher_logprobs_at_support.map((row) => row.map(() => -rng() * 9)) }));
      const s = { ...BASE, wOPD: 0 };
      const a = await lossAndGrad(logits, [N, T, V], samples, s, 1);
      const b = await lossAndGrad(logits, [N, T, V], scrambled, s, 1);
      expect(a.value).toBe(b.value);
      expect(Array.from(a.grad)).toEqual(Array.from(b.grad));
      const batch = batchFromSamples(samples, { C: 1 });
      const out = hybridLoss(tf.tensor3d(Float32Array.from(logits), [N, T, V]), batch, s);
      expect((await out.loss.data())[0]).toBe((await out.terms.grpo.data())[0]);
      disposeBatch(batch);
      expect(a.value).toBeCloseTo(directLoss(logits, T, V, samples, s, 1), 5);
    }
  });

  it('needs reference log-probs when the KL is on; checks shapes', () => {
    const rng = createRng(1);
    const logits = randomLogits(rng, 1 * 2 * 3);
    const batch = batchFromSamples([randomSample(rng, 'grpo', 0, 2, 2, 3, logits)], { C: 1 });
    expect(() => hybridLoss(tf.zeros([1, 2, 3]) as tf.Tensor3D, batch, { ...BASE, klCoef: 0.1 })).toThrow(/refLogprobs/);
    expect(() => hybridLoss(tf.zeros([1, 3, 3]) as tf.Tensor3D, batch, BASE)).toThrow(/batch is/);
    disposeBatch(batch);
  });
});
