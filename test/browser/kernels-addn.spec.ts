/**
 * AddN on the webgpu backend as the app registers it (src/kernels/gpu/register-backend.ts), against a float64 sum:
 * a gradient summed from many uses binds one storage buffer per input, past the default limit of 8 per shader
 * stage (and past any adapter's), so the device asks for the adapter's limit and longer sums are made in parts.
 */
import { test, expect, type Page } from '@playwright/test';
import type { KernelHarness } from './pages/kernels.ts';
import { openKernelPage } from './kernel-page.ts';

let page: Page;

test.beforeAll(async ({ browser }) => {
  ({ page } = await openKernelPage(browser));
});

test.afterAll(async () => page?.close());

test('tf.addN of 2 to 40 tensors on webgpu equals the float64 sum and leaves no tensor behind', async () => {
  for (const [n, seed] of [[2, 1], [7, 2], [8, 3], [9, 4], [10, 5], [17, 6], [40, 7]]) {
    const r = await page.evaluate(([n, seed]) => (window as unknown as { kernelHarness: KernelHarness }).kernelHarness.addNCase(n, seed), [n, seed]);
    expect(r.maxError, `${n} inputs (limit ${r.limit})`).toBeLessThan(1e-4 * n);
    expect(r.leaked, `${n} inputs`).toBe(0);
  }
});
