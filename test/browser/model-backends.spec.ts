/**
 * The policy gives the same results on tfjs `webgpu` (SwiftShader here), `wasm` and `cpu`: the same seeded
 * random model is built on each backend in a real page, and its logits, teacher-forced score, KV-cached greedy
 * reply and reply-loss gradients are compared (cpu is the reference).
 */
import { test, expect, type Page } from '@playwright/test';
import type { BackendReport, ModelHarness, Variant } from './pages/model.ts';

let page: Page;
const reports: Record<string, BackendReport> = {};
const VARIANTS: Variant[] = ['tiny', 'gqa'];

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.goto('/test/browser/pages/model.html');
  await page.waitForFunction(() => 'modelHarness' in window);
  for (const variant of VARIANTS) {
    for (const backend of ['cpu', 'wasm', 'webgpu']) {
      reports[`${variant}/${backend}`] = await page.evaluate(
        ([b, v]) => (window as unknown as { modelHarness: ModelHarness }).modelHarness.run(b, 17, v as Variant),
        [backend, variant],
      );
    }
  }
});

test.afterAll(async () => page?.close());

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

function maxRelDiff(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs), 1e-12);
  return maxAbsDiff(a, b) / scale;
}

for (const [variant, backend] of VARIANTS.flatMap((v) => ['wasm', 'webgpu'].map((b) => [v, b]))) {
  test(`${variant}: ${backend} matches cpu: logits, score, greedy decode, gradients`, () => {
    const ref = reports[`${variant}/cpu`];
    const got = reports[`${variant}/${backend}`];
    expect(got.backend).toBe(backend);
    expect(ref.logits.length).toBe(2 * 12 * 104);
    expect(maxAbsDiff(got.logits, ref.logits)).toBeLessThan(1e-3);
    expect(maxAbsDiff(got.tokenLogprobs, ref.tokenLogprobs)).toBeLessThan(2e-3);
    expect(maxAbsDiff(got.logSumExp, ref.logSumExp)).toBeLessThan(2e-3);
    expect(maxAbsDiff(got.topLogprobs, ref.topLogprobs)).toBeLessThan(2e-3);
    expect(got.topIds).toEqual(ref.topIds);
    expect(got.greedyIds).toEqual(ref.greedyIds);
    expect(maxAbsDiff(got.greedyLogprobs, ref.greedyLogprobs)).toBeLessThan(2e-3);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-3);
    for (const name of Object.keys(ref.grads)) expect(maxRelDiff(got.grads[name], ref.grads[name]), name).toBeLessThan(1e-2);
  });
}

test('the reference itself is not degenerate', () => {
  for (const variant of VARIANTS) {
    const ref = reports[`${variant}/cpu`];
    expect(new Set(ref.topIds).size).toBeGreaterThan(4);
    expect(Math.max(...ref.logits) - Math.min(...ref.logits)).toBeGreaterThan(1e-2);
    for (const g of Object.values(ref.grads)) expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-6);
  }
});
