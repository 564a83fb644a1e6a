/**
 * The Experiments panel in Chromium (issue 8): a hybrid-vs-GRPO race runs in real module workers through the
 * real engines and online loop, the live plots fill in, and the table agrees with the runs. A small random
 * policy keeps it fast: it never meets the preference, so every run ends at the (small) cap.
 */
import { test, expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { initialWeights } from '../../src/model/weights.ts';
import type { ModelConfig } from '../../src/model/presets.ts';

const MODEL = '/.cache/experiments-test/small-random';

test.beforeAll(async () => {
  const file = resolve(import.meta.dirname, '../..', MODEL.slice(1));
  if (existsSync(`${file}.json`)) return;
  const tokenizer = defaultTokenizer();
  const config: ModelConfig = { vocabSize: tokenizer.vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 256, ropeBase: 10000 };
  const { bytes, manifest } = await encodeCheckpoint(initialWeights(config, 3), {
    preset: 'test', config, tokenizer: tokenizer.toJSON(), corpusVersion: null, tokensSeen: 0, finalLoss: null,
  });
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(`${file}.safetensors`, bytes);
  writeFileSync(`${file}.json`, JSON.stringify(manifest));
});

/** Clicks Run until the runs are going: the dev server may reload the page once when the worker's imports are first optimised. */
async function run(page: Page, prepare: () => Promise<void> = async () => {}): Promise<void> {
  const status = page.getByTestId('experiments-status');
  await expect(async () => {
    if ((await status.getAttribute('data-status')) === 'idle') {
      await prepare();
      await page.getByRole('button', { name: 'Run' }).click();
    }
    await expect(status).toHaveAttribute('data-status', /running|done/, { timeout: 30_000 });
  }).toPass({ timeout: 180_000 });
}

test('a hybrid vs GRPO race runs in workers with live plots and a table', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/test/browser/experiments.page.html?model=${MODEL}&cap=3`);
  await expect(page.getByRole('heading', { name: /Experiments/ })).toBeVisible();
  await run(page, () => page.getByTestId('experiments-preference').selectOption('lowercase+emoji').then(() => {}));
  const status = page.getByTestId('experiments-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(status).toContainText('2/2 runs, 6 sessions');
  // Both runs hit the cap of 3: the table says so, per method and per preference.
  for (const arm of ['hybrid', 'grpo']) {
    const row = page.getByTestId(`row-${arm}`);
    await expect(row).toContainText('3 ± 0');
    await expect(row).toContainText('1/1');
    await expect(page.getByTestId(`mean-${arm}`)).toHaveCount(1);
  }
  await expect(page.getByTestId('experiments-ratios')).toContainText('GRPO only needs 1×');
  // The bench's figure: a mean with its CI per arm and a learning curve per method; the paired comparison: one pair, no difference.
  await expect(page.getByTestId('experiments-figure').locator('circle')).toHaveCount(2);
  await expect(page.getByTestId('comparison-hybrid-grpo')).toContainText('hybrid − grpo');
  await expect(page.getByTestId('comparison-hybrid-grpo').locator('td').nth(1)).toHaveText('0');
  await expect(page.getByTestId('comparison-hybrid-grpo').locator('td').nth(2)).toHaveText('[0, 0]');
  // One curve per run in each live plot, three sessions long.
  for (const series of ['reward', 'length']) {
    const lines = page.getByTestId(`experiments-${series}`).locator('polyline');
    await expect(lines).toHaveCount(2);
    for (const points of await lines.evaluateAll((els) => els.map((e) => e.getAttribute('points') ?? ''))) {
      expect(points.trim().split(/\s+/)).toHaveLength(3);
    }
  }
  expect(errors).toEqual([]);
});

test('Stop ends the runs after their current session', async ({ page }) => {
  await page.goto(`/test/browser/experiments.page.html?model=${MODEL}&cap=60`);
  await run(page);
  const status = page.getByTestId('experiments-status');
  await expect(status).toContainText(/running: 0\/2 runs, [2-9]\d* sessions/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  // Cut-short runs stay out of the table.
  await expect(page.getByTestId('experiments-table')).toHaveCount(0);
});

test('in the playground, the experiment keeps running while another panel is shown', async ({ page }) => {
  const { testModel } = await import('./app-fixtures.ts');
  const model = await testModel();
  await page.goto(`/?model=${encodeURIComponent(model.base)}`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await page.getByRole('tab', { name: 'Experiments' }).click();
  // With "no updates" in the race, one run lasts all 60 sessions: long enough to look away.
  await run(page, () => page.getByRole('checkbox', { name: 'none' }).check());
  const status = page.getByTestId('experiments-status');
  const sessions = async () => Number((await status.textContent())?.match(/(\d+) sessions/)?.[1] ?? 0);
  await expect.poll(sessions, { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(status).toHaveAttribute('data-status', 'running');
  const beforeHiding = await sessions();
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(status).toHaveCount(0);
  await page.waitForTimeout(3000);
  await page.getByRole('tab', { name: 'Experiments' }).click();
  // The same experiment, which went on while hidden: its sessions are kept and more have arrived.
  await expect(status).toHaveAttribute('data-status', /running|done/);
  await expect.poll(sessions, { timeout: 120_000 }).toBeGreaterThan(beforeHiding);
  await expect(status).toContainText('/3 runs');
  if ((await status.getAttribute('data-status')) === 'running') await page.getByRole('button', { name: 'Stop' }).click();
});
