import { test, expect } from '@playwright/test';

test('the page loads in Chromium with the WebGPU API on a secure localhost origin', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'NextState' })).toBeVisible();
  await expect(page.getByTestId('webgpu-available')).toHaveText('WebGPU API: present');
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu.requestAdapter();
    return a ? { vendor: a.info.vendor, fallback: (a.info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? null } : null;
  });
  expect(adapter).not.toBeNull();
});
