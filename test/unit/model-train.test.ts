import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linear, embed } from '../../src/model/linear.ts';
import { Policy } from '../../src/model/policy.ts';
import { Adam } from '../../src/model/adam.ts';
import { replyLoss, trainStep, padBatch, learningRate } from '../../src/model/reply-loss.ts';
import { createRng } from '../../src/model/rng.ts';
import { MINI, useWasm, randomIds, referenceLogSoftmax } from './model-helpers.ts';

beforeAll(useWasm);

function randomMatrix(seed: number, rows: number, cols: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Array.from({ length: rows * cols }, () => rng() * 2 - 1), [rows, cols]);
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-4): void {
  expect(a.shape).toEqual(b.shape);
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  expect(diff).toBeLessThan(tol);
}

describe('custom-gradient linear maps', () => {
  it('linear: value and gradients equal tfjs matMul and its default gradient', () => {
    const x = randomMatrix(1, 7, 5);
    const w = randomMatrix(2, 5, 3);
    const r = randomMatrix(3, 7, 3); // a random cotangent
    const mine = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), r)));
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r)));
    const [gx, gw] = mine([x, w]);
    const [rx, rw] = ref([x, w]);
    expectClose(linear(x, w), tf.matMul(x, w));
    expectClose(gx, rx);
    expectClose(gw, rw);
  });

  it("embed: the table's token vectors (columns of [d, V]), and its gradient scatters the cotangent rows onto the looked-up ids", () => {
    const ids = [3, 0, 3, 7, 1];
    const table = randomMatrix(7, 8, 4);
    const r = randomMatrix(8, 5, 4);
    const value = embed(tf.tensor1d(ids, 'int32'), tf.transpose(table));
    const tableRows = table.arraySync();
    expect(value.arraySync().map((row) => row.map((x) => Math.round(x * 1e5)))).toEqual(ids.map((i) => tableRows[i].map((x) => Math.round(x * 1e5))));
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(embed(tf.tensor1d(ids, 'int32'), t as tf.Tensor2D), r)))([tf.transpose(table)]);
    const rr = r.arraySync();
    const expected = Array.from({ length: 8 }, (_, v) => [0, 1, 2, 3].map((c) => ids.reduce((s, id, n) => s + (id === v ? rr[n][c] : 0), 0)));
    expectClose(g, tf.transpose(tf.tensor2d(expected)));
  });
});

describe('pretraining pieces', () => {
  it('replyLoss is the mean cross-entropy over reply-token targets only', () => {
    const p = Policy.create(MINI, 21);
    const rows = [
      { ids: randomIds(31, 10), lossMask: [0, 0, 0, 0, 1, 1, 1, 1, 1, 1] },
      { ids: randomIds(32, 7), lossMask: [0, 0, 1, 1, 0, 1, 1] },
    ];
    const batch = padBatch(rows, 0);
    const got = replyLoss(p, batch).dataSync()[0];
    let sum = 0;
    let count = 0;
    const v = MINI.vocabSize;
    for (const r of rows) {
      const logits = tf.tidy(() => p.forward(tf.tensor2d([r.ids], [1, r.ids.length], 'int32')).logits.dataSync());
      for (let t = 1; t < r.ids.length; t++) {
        if (!r.lossMask[t]) continue;
        sum -= referenceLogSoftmax(logits.subarray((t - 1) * v, t * v), 1)[r.ids[t]];
        count++;
      }
    }
    expect(got).toBeCloseTo(sum / count, 4);
    p.dispose();
  });

  it('Adam matches a plain-JS Adam on one weight', () => {
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'adam-test-w');
    const adam = new Adam(new Map([['w', w]]), { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0 });
    const ref = [0.5, -1, 2];
    const m = [0, 0, 0];
    const s = [0, 0, 0];
    const grads = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.5], [-0.3, 0.3, 0.2]];
    grads.forEach((g, step) => {
      adam.apply({ w: tf.tensor1d(g) }, 0.01);
      for (let i = 0; i < 3; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        s[i] = 0.95 * s[i] + 0.05 * g[i] * g[i];
        const mh = m[i] / (1 - 0.9 ** (step + 1));
        const sh = s[i] / (1 - 0.95 ** (step + 1));
        ref[i] -= (0.01 * mh) / (Math.sqrt(sh) + 1e-8);
      }
    });
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
    adam.dispose();
    w.dispose();
  });

  it('Adam state encodes and restores exactly: a restored optimizer takes the same next step; other settings or shapes are refused', () => {
    const settings = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0 };
    const make = (values: number[], name: string) => tf.variable(tf.tensor2d(values, [2, 2]), true, name);
    const a = make([0.5, -1, 2, 0.25], 'adam-enc-a');
    const adamA = new Adam(new Map([['w', a]]), settings);
    adamA.apply({ w: tf.tensor2d([0.1, -0.2, 0.3, 0.05], [2, 2]) }, 0.01);
    adamA.apply({ w: tf.tensor2d([0.4, 0.1, -0.5, -0.2], [2, 2]) }, 0.01);
    const bytes = adamA.encode();
    const b = make(Array.from(a.dataSync()), 'adam-enc-b');
    const adamB = new Adam(new Map([['w', b]]), settings);
    adamB.restore(bytes);
    expect(adamB.step).toBe(2);
    const fresh = make(Array.from(a.dataSync()), 'adam-enc-c');
    const adamC = new Adam(new Map([['w', fresh]]), settings);
    const g = [-0.3, 0.3, 0.2, 0.1];
    for (const adam of [adamA, adamB, adamC]) adam.apply({ w: tf.tensor2d(g, [2, 2]) }, 0.01);
    Array.from(b.dataSync()).forEach((x, i) => expect(x).toBe(a.dataSync()[i]));
    // Starting over is not the same step (the test can tell the two apart).
    expect(Math.max(...Array.from(fresh.dataSync(), (x, i) => Math.abs(x - a.dataSync()[i])))).toBeGreaterThan(1e-4);
    const other = new Adam(new Map([['w', b]]), { ...settings, beta2: 0.98 });
    expect(() => other.restore(bytes)).toThrow(/settings/);
    const wide = tf.variable(tf.zeros([2, 3]), true, 'adam-enc-d');
    expect(() => new Adam(new Map([['w', wide]]), settings).restore(bytes)).toThrow(/adam\.m\.w.*\[2,2\].*\[2,3\]/);
    expect(() => adamB.restore(new Uint8Array(16))).toThrow(/checkpoint header error/);
    for (const x of [adamA, adamB, adamC, other]) x.dispose();
    for (const x of [a, b, fresh, wide]) x.dispose();
  });

  it('a few Adam steps on a tiny batch lower the loss', () => {
    const p = Policy.create(MINI, 22);
    const adam = new Adam(p.variables);
    const batch = padBatch(
      [0, 1, 2, 3].map((i) => ({ ids: randomIds(40 + i, 12), lossMask: [0, 0, 0, ...new Array(9).fill(1)] })),
      0,
    );
    const first = trainStep(p, adam, batch, 3e-3).loss;
    let last = first;
    for (let i = 0; i < 15; i++) last = trainStep(p, adam, batch, 3e-3).loss;
    expect(first).toBeGreaterThan(Math.log(MINI.vocabSize) - 0.3);
    expect(last).toBeLessThan(first - 0.5);
    adam.dispose();
    p.dispose();
  });

  it('learning rate warms up linearly, then decays by cosine to the floor', () => {
    expect(learningRate(0, 1, 10, 0)).toBeCloseTo(0.1);
    expect(learningRate(9, 1, 10, 0)).toBeCloseTo(1);
    expect(learningRate(50, 1, 10, 0.5)).toBeCloseTo(0.55);
    expect(learningRate(50, 1, 10, 1)).toBeCloseTo(0.1);
  });
});
