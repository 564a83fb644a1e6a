/**
 * The top-k overlap kernel against its TypeScript reference on real WebGPU (Chromium, SwiftShader here):
 * fresh seeded inputs per case, outputs poisoned before each run, all three row reduction layouts
 * (one subgroup per row, subgroups + workgroup slots, workgroup-memory tree). Covering subset: every T ∈ {1,7,128,513}, V ∈ {5,256,4099,32768,151936},
 * k ∈ {1,4,20,32}, H ∈ {1,2,3} appears; ties, −∞, ±1e30 and NaN each have cases.
 */
import { test, expect, type Page } from '@playwright/test';
import type { KernelHarness, TopKCase } from './pages/kernels.ts';
import { openKernelPage } from './kernel-page.ts';

const cases: TopKCase[] = [
  { positions: 1, vocab: 151936, k: 32, hints: 3, teachers: 'list', kind: 'normal', seed: 11, reduce: 'subgroupRow' },
  { positions: 7, vocab: 151936, k: 4, hints: 2, teachers: 'stacked', kind: 'normal', seed: 12, reduce: 'subgroups' },
  { positions: 128, vocab: 32768, k: 4, hints: 3, teachers: 'list', kind: 'normal', seed: 13, reduce: 'subgroupRow' },
  { positions: 128, vocab: 4099, k: 32, hints: 2, teachers: 'list', kind: 'normal', seed: 14, reduce: 'tree' },
  { positions: 513, vocab: 256, k: 20, hints: 2, teachers: 'stacked', kind: 'ties', seed: 15, reduce: 'subgroups' },
  { positions: 513, vocab: 256, k: 20, hints: 1, teachers: 'list', kind: 'ties', seed: 16, reduce: 'subgroupRow' },
  { positions: 128, vocab: 32768, k: 32, hints: 1, teachers: 'stacked', kind: 'ties', seed: 24, reduce: 'tree' },
  { positions: 1, vocab: 32768, k: 1, hints: 1, teachers: 'list', kind: 'ties', seed: 23, reduce: 'subgroups' },
  { positions: 7, vocab: 5, k: 20, hints: 3, teachers: 'list', kind: 'specials', seed: 17, reduce: 'subgroupRow' },
  { positions: 513, vocab: 5, k: 1, hints: 1, teachers: 'stacked', kind: 'normal', seed: 18, reduce: 'tree' },
  { positions: 128, vocab: 4099, k: 4, hints: 2, teachers: 'stacked', kind: 'specials', seed: 19, reduce: 'subgroups' },
  { positions: 128, vocab: 4099, k: 4, hints: 2, teachers: 'list', kind: 'specials', seed: 20, reduce: 'tree' },
  { positions: 7, vocab: 32768, k: 20, hints: 2, teachers: 'list', kind: 'specials', seed: 25, reduce: 'subgroupRow' },
  { positions: 128, vocab: 256, k: 4, hints: 3, teachers: 'stacked', kind: 'specials', seed: 26, reduce: 'tree' },
  { positions: 7, vocab: 256, k: 4, hints: 2, teachers: 'list', kind: 'nan', seed: 21, reduce: 'subgroupRow' },
  { positions: 7, vocab: 4099, k: 32, hints: 3, teachers: 'stacked', kind: 'nan', seed: 22, reduce: 'tree' },
];

let page: Page;

test.beforeAll(async ({ browser }) => {
  const opened = await openKernelPage(browser);
  page = opened.page;
  console.log(`adapter ${opened.info.adapter}, default row layout ${opened.info.layout}`);
});

test.afterAll(async () => page?.close());

for (const c of cases) {
  const name = `T=${c.positions} V=${c.vocab} k=${c.k} H=${c.hints} ${c.teachers} ${c.kind} ${c.reduce}`;
  test(`top-k overlap matches the reference: ${name}`, async () => {
    const r = await page.evaluate((c) => (window as unknown as { kernelHarness: KernelHarness }).kernelHarness.topKCase(c), c);
    console.log(`${name}: gpu ${r.gpuMs.toFixed(0)} ms, reference ${r.referenceMs.toFixed(0)} ms, max rel ${r.maxRelative.toExponential(1)}, ${JSON.stringify(r.stats)}`);
    test.skip(r.layoutUsed !== c.reduce, `this adapter cannot run the ${c.reduce} layout`);
    expect(r.examples).toEqual([]);
    expect(r.mismatches).toBe(0);
  });
}
