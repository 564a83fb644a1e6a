/**
 * A random model with Qwen's real 151,936-token vocabulary runs the whole directive signal on WebGPU (SwiftShader
 * here): the WGSL kernels give the overlap, selection and advantages the TypeScript reference gives.
 */
import { test, expect } from '@playwright/test';

test('on webgpu, at V = 151,936, the kernels give the directive signal the reference gives', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/test/browser/pages/hf-signal.html');
  await expect(page.locator('#status')).toHaveText('idle');
  for (const [seed, selection] of [[1, 'sequence'], [2, 'token']] as const) {
    const r = await page.evaluate(([s, sel]) => (window as any).hfSignal.signalParity(s, sel), [seed, selection] as const);
    expect(r).toMatchObject({ backend: 'webgpu', vocab: 151936, path: 'kernels', idsEqual: true, overlapEqual: true, perPositionEqual: true });
    expect(r.logprobDiff).toBeLessThan(1e-4);
    expect(r.advantageDiff).toBeLessThan(1e-4);
    expect(r.distinctTopIds).toBeGreaterThan(8);
  }
});
