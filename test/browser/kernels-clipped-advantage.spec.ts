/**
 * The clipped-advantage kernel (METHOD §4 selection + §5 advantages) against its TypeScript reference on
 * real WebGPU, on rows packed from fresh seeded overlaps (`kernel`), and end to end from logits through
 * both kernels (`pipeline`). Outputs are poisoned before each run. Every selection mode, the clip on and
 * off, ties, −∞ and NaN log-probs have cases; each case checks its data exercised what it is named for.
 */
import { test, expect, type Page } from '@playwright/test';
import type { AdvantageCase, KernelHarness } from './pages/kernels.ts';
import { openKernelPage } from './kernel-page.ts';

type Named = AdvantageCase & { expect?: { clipped?: boolean; manyHints?: boolean; nan?: boolean } };

const cases: Named[] = [
  { scope: 'kernel', positions: 513, vocab: 256, k: 4, hints: 3, selection: 'sequence', clip: 1, kind: 'normal', seed: 31, reduce: 'tree', expect: { clipped: true } },
  { scope: 'kernel', positions: 513, vocab: 256, k: 4, hints: 3, selection: 'token', clip: 2, kind: 'ties', seed: 32, reduce: 'tree', expect: { manyHints: true } },
  { scope: 'kernel', positions: 128, vocab: 4099, k: 20, hints: 2, selection: 'shortest', clip: 0, kind: 'specials', seed: 33, reduce: 'tree' },
  { scope: 'kernel', positions: 128, vocab: 256, k: 4, hints: 2, selection: 'token', clip: 0.5, kind: 'specials', seed: 34, reduce: 'tree', expect: { clipped: true, manyHints: true } },
  { scope: 'kernel', positions: 7, vocab: 256, k: 32, hints: 3, selection: 'random', seed: 35, clip: 1, kind: 'nan', reduce: 'tree', expect: { nan: true } },
  { scope: 'kernel', positions: 1, vocab: 5, k: 1, hints: 1, selection: 'sequence', clip: -1, kind: 'normal', seed: 36, reduce: 'tree' },
  { scope: 'pipeline', positions: 7, vocab: 4099, k: 4, hints: 3, selection: 'sequence', clip: 1, kind: 'normal', seed: 37, reduce: 'subgroupRow', expect: { clipped: true } },
  { scope: 'pipeline', positions: 128, vocab: 32768, k: 20, hints: 2, selection: 'token', clip: 2, kind: 'normal', seed: 38, reduce: 'subgroups', expect: { manyHints: true } },
];

let page: Page;

test.beforeAll(async ({ browser }) => {
  ({ page } = await openKernelPage(browser));
});

test.afterAll(async () => page?.close());

for (const c of cases) {
  const name = `${c.scope} T=${c.positions} V=${c.vocab} k=${c.k} H=${c.hints} ${c.selection} C=${c.clip} ${c.kind}`;
  test(`clipped advantages match the reference: ${name}`, async () => {
    const r = await page.evaluate((c) => (window as unknown as { kernelHarness: KernelHarness }).kernelHarness.advantageCase(c), c);
    console.log(`${name}: gpu ${r.gpuMs.toFixed(0)} ms, reference ${r.referenceMs.toFixed(0)} ms, ${JSON.stringify(r.stats)}`);
    expect(r.examples).toEqual([]);
    expect(r.mismatches).toBe(0);
    if (c.expect?.clipped) expect(r.stats.clipped).toBeGreaterThan(0);
    if (c.expect?.manyHints) expect(r.stats.distinctHints).toBeGreaterThan(1);
    if (c.expect?.nan) expect(r.stats.nanDeltas).toBeGreaterThan(0);
  });
}
