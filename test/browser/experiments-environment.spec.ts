/**
 * The Experiments panel runs the environment experiment (issue 15) in Chromium: tool use for the hybrid, GRPO
 * only and no updates, two episodes each, in real module workers through the real engines and online loop.
 * The live plots and the table must show exactly the numbers the workers' runs reported, recomputed here from
 * the episodes by this test's own arithmetic (not the page's summary code).
 */
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { testModel } from './app-fixtures.ts';
import type { EnvironmentRunResult } from '../../src/experiments/index.ts';

const EPISODES = 2;
const ARMS = ['hybrid', 'grpo', 'none'];

const rate = (flags: boolean[]) => String(Math.round((flags.filter(Boolean).length / flags.length) * 1000) / 1000);
/** Episodes until 3 solved in a row, or the run's length without such a streak. */
function toStreak(success: boolean[]): number {
  for (let i = 2; i < success.length; i++) if (success[i] && success[i - 1] && success[i - 2]) return i + 1;
  return success.length;
}

test('tool use for three methods runs in workers; the plots and the table show the runs\' numbers', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const model = await testModel();
  await page.goto(`/test/browser/experiments.page.html?model=${encodeURIComponent(model.base)}`);
  const status = page.getByTestId('experiments-status');
  // The dev server may reload the page once when the worker's imports are first optimised: set up again then.
  await expect(async () => {
    if ((await status.getAttribute('data-status')) === 'idle') {
      // Keyboard only: the experiment's radio group, the environments, the episodes and Run.
      await page.getByRole('radio', { name: 'A preference from talk' }).focus();
      await page.keyboard.press('ArrowRight');
      await expect(page.getByRole('radio', { name: 'Agents that act' })).toBeChecked();
      await expect(page.getByRole('heading', { name: 'Experiments: agents that act' })).toBeVisible();
      await page.getByRole('checkbox', { name: 'Terminal' }).focus();
      await page.keyboard.press('Space');
      await expect(page.getByRole('checkbox', { name: 'Terminal' })).not.toBeChecked();
      await page.getByRole('spinbutton', { name: 'Episodes per run' }).fill(String(EPISODES));
      await page.getByRole('button', { name: 'Run' }).focus();
      await page.keyboard.press('Enter');
    }
    await expect(status).toHaveAttribute('data-status', /running|done/, { timeout: 30_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByRole('progressbar', { name: 'Episodes done' }).or(status.filter({ hasText: 'done' }))).toBeVisible();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 200_000 });
  await expect(status).toContainText(`3/3 runs, ${3 * EPISODES}/${3 * EPISODES} episodes`);

  const results = await page.evaluate(() =>
    (window as unknown as { experiments: { environmentRuns: { result: unknown }[] } }).experiments.environmentRuns.map((r) => r.result)) as EnvironmentRunResult[];
  expect(results.map((r) => `${r.spec.environment}|${r.spec.arm}|${r.episodes.length}`)).toEqual(ARMS.map((arm) => `tool-use|${arm}|${EPISODES}`));
  const section = page.getByTestId('experiments-environment-tool-use');
  for (const result of results) {
    const arm = result.spec.arm;
    const success = result.episodes.map((e) => e.success);
    // The per-episode plot: one mark per episode, filled exactly where the engine said solved.
    const key = `tool-use|${arm}|1`;
    const marks = section.getByTestId('experiments-episodes').locator(`g[data-run="${key}"] rect`);
    expect(await marks.evaluateAll((els) => els.map((e) => e.getAttribute('data-success')))).toEqual(success.map(String));
    await expect(section.getByTestId('experiments-episodes').locator(`g[data-run="${key}"]`).getByTestId('episodes-solved'))
      .toHaveText(`${success.filter(Boolean).length}/${EPISODES}`);
    // The success curve: one point per episode.
    const points = await section.getByTestId('experiments-success-tool-use').locator(`polyline[data-run="${key}"]`).getAttribute('points');
    expect(points?.trim().split(/\s+/)).toHaveLength(EPISODES);
    // The table: bench:env's fields, recomputed from the episodes.
    const row = page.getByTestId(`environment-row-tool-use-${arm}`);
    await expect(row.locator('[data-field="runs"]')).toHaveText('1');
    await expect(row.locator('[data-field="success_rate_first"]')).toHaveText(rate(success.slice(0, 10)));
    await expect(row.locator('[data-field="success_rate_last"]')).toHaveText(rate(success.slice(-10)));
    await expect(row.locator('[data-field="success_rate_all"]')).toHaveText(rate(success));
    await expect(row.locator('[data-field="episodes_to_streak"]')).toHaveText(String(toStreak(success)));
    await expect(row.locator('[data-field="updates"]')).toHaveText(String(result.updates));
    if (arm === 'none') expect(result.updates).toBe(0);
    else expect(result.updates).toBeGreaterThan(0);
  }
  // The step judge against the checker, over every episode that ended with an answer.
  const episodes = results.flatMap((r) => r.episodes);
  const answered = episodes.filter((e) => !e.capped && e.stepScores.at(-1) !== null);
  const agreement = page.getByTestId('environment-agreement-tool-use');
  await expect(agreement).toContainText(`(${episodes.length} episodes)`);
  await expect(agreement.locator('[data-field="final_step"]')).toHaveText(answered.length ? rate(answered.map((e) => (e.stepScores.at(-1) === 1) === e.success)) : '–');
  expect(errors).toEqual([]);
  const shots = resolve(import.meta.dirname, 'screenshots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: resolve(shots, 'experiments-environment-1280.png'), fullPage: true });
});

test('Stop cancels the environment runs after their current episode; cut runs stay out of the table', async ({ page }) => {
  test.setTimeout(180_000);
  const model = await testModel();
  await page.goto(`/test/browser/experiments.page.html?model=${encodeURIComponent(model.base)}`);
  const status = page.getByTestId('experiments-status');
  await expect(async () => {
    if ((await status.getAttribute('data-status')) === 'idle') {
      await page.getByRole('radio', { name: 'Agents that act' }).check();
      await page.getByRole('checkbox', { name: 'none' }).uncheck();
      await page.getByRole('spinbutton', { name: 'Episodes per run' }).fill('50');
      await page.getByRole('button', { name: 'Run' }).click();
    }
    await expect(status).toHaveAttribute('data-status', /running/, { timeout: 30_000 });
  }).toPass({ timeout: 120_000 });
  await expect(status).toContainText(/running: 0\/4 runs, [1-9]\d*\/200 episodes/, { timeout: 120_000 });
  await expect(page.getByRole('progressbar', { name: 'Episodes done' })).toBeVisible();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  await expect(page.getByTestId('environment-table-tool-use')).toHaveCount(0);
  const statuses = await page.evaluate(() =>
    (window as unknown as { experiments: { environmentRuns: { status: string; result: unknown }[] } }).experiments.environmentRuns.map((r) => [r.status, r.result]));
  expect(statuses).toEqual(Array(4).fill(['stopped', null]));
  // The episodes that did run are still plotted.
  await expect(page.getByTestId('experiments-episodes').first().locator('rect').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled();
});
