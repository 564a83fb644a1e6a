/**
 * The empty chat a new visitor meets (issue 14), in real Chromium with the real workers: it says what the
 * agent knows and offers three example questions as buttons with accessible names; a click sends one, and
 * so does the keyboard alone (Tab to an example, Enter), so the first message lands in the agent's world.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { testModel } from './app-fixtures.ts';
import { AGENT_SCOPE, EXAMPLE_QUESTIONS } from '../../src/app/chat/first-questions.ts';

let base: string;

test.beforeAll(async () => {
  base = (await testModel()).base;
});

async function expectFirstSteps(page: Page): Promise<void> {
  const steps = page.getByTestId('first-steps');
  await expect(steps).toContainText(AGENT_SCOPE);
  const examples = page.getByRole('group', { name: 'Example questions' }).getByRole('button');
  await expect(examples).toHaveCount(3);
  for (const [i, question] of EXAMPLE_QUESTIONS.entries()) {
    await expect(examples.nth(i)).toHaveAccessibleName(`Ask: ${question}`);
    await expect(examples.nth(i)).toHaveText(question);
  }
}

test('the empty chat says what the agent knows, and an example question is sent by a click or by the keyboard', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`/?model=${encodeURIComponent(base)}&maxTokens=8`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await expectFirstSteps(page);
  const shots = resolve(import.meta.dirname, 'screenshots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: resolve(shots, 'first-steps-1280.png') });
  await page.setViewportSize({ width: 400, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 'fits 400 px').toBeLessThanOrEqual(0);
  await page.screenshot({ path: resolve(shots, 'first-steps-400.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  // A click sends the example as the visitor's message, and the agent replies.
  await page.getByRole('button', { name: `Ask: ${EXAMPLE_QUESTIONS[1]}` }).click();
  await expect(page.getByTestId('user-text')).toHaveText([EXAMPLE_QUESTIONS[1]], { timeout: 60_000 });
  await expect(page.getByTestId('assistant-text')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('first-steps')).toHaveCount(0);

  // A new session is empty again; Tab reaches an example and Enter sends it, no mouse involved.
  await page.getByRole('button', { name: 'New session' }).click();
  await expectFirstSteps(page);
  await page.getByRole('button', { name: 'New session' }).focus();
  let focused = '';
  for (let i = 0; i < 10 && !focused.startsWith('Ask: '); i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  }
  expect(focused).toBe(`Ask: ${EXAMPLE_QUESTIONS[0]}`);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: `Ask: ${EXAMPLE_QUESTIONS[1]}` })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('user-text')).toHaveText([EXAMPLE_QUESTIONS[1]], { timeout: 60_000 });
  await expect(page.getByTestId('assistant-text')).toHaveCount(1, { timeout: 60_000 });
});
