/** The kernel harness page (pages/kernels.ts) opened for a spec: loaded, and its WebGPU backend set up. */
import type { Browser, Page } from '@playwright/test';
import type { KernelHarness } from './pages/kernels.ts';

export async function openKernelPage(browser: Browser): Promise<{ page: Page; info: { adapter: string; layout: string } }> {
  const page = await browser.newPage();
  await page.goto('/test/browser/pages/kernels.html');
  await page.waitForFunction(() => 'kernelHarness' in window);
  const info = await page.evaluate(() => (window as unknown as { kernelHarness: KernelHarness }).kernelHarness.setup());
  return { page, info };
}
