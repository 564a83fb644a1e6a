import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadPolicy } from '../../src/model/checkpoint.ts';
import { useWasm } from './model-helpers.ts';

beforeAll(useWasm);

interface PinnedRow {
  ids: number[];
  logits: number[][];
}

describe('the shipped nextstate-tiny on the one decoder graph', () => {
  it('gives the logits of an independent float64 PyTorch replica of the graph (scripts/gpu-pretrain/model.py; fixture note)', async () => {
    const fixture = JSON.parse(readFileSync('test/fixtures/nextstate-tiny-logits.json', 'utf8')) as { rows: PinnedRow[] };
    const bytes = new Uint8Array(readFileSync('public/models/nextstate-tiny.safetensors'));
    const manifest = JSON.parse(readFileSync('public/models/nextstate-tiny.json', 'utf8'));
    const { policy } = await loadPolicy(bytes, manifest);
    for (const row of fixture.rows) {
      const got = tf.tidy(() => policy.forward(tf.tensor2d([row.ids], [1, row.ids.length], 'int32')).logits.arraySync());
      let worst = 0;
      row.logits.forEach((r, t) => r.forEach((x, v) => (worst = Math.max(worst, Math.abs(x - got[t][v])))));
      expect(worst).toBeLessThan(1e-4);
    }
    policy.dispose();
  });
});
