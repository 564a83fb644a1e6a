/**
 * The playground's one settings object (issue 6 "Settings"): a link opens its configuration, a change
 * applies to the running loop without a reload, is written into the link and saved in IndexedDB; a bad
 * link is refused with the reason; judge keys never reach the URL or IndexedDB. And rollback (issue 6
 * "Training dashboard"): an earlier version is served again.
 */
import { test, expect, type Page } from '@playwright/test';
import { testModel } from './app-fixtures.ts';

let base: string;

test.beforeAll(async () => {
  base = (await testModel()).base;
});

const model = () => `model=${encodeURIComponent(base)}`;

async function ready(page: Page): Promise<void> {
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
}

/** The settings object as IndexedDB holds it (the store's key ['meta', 'settings']). */
function savedSettings(page: Page): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('nextstate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('records').objectStore('records').get(['meta', 'settings']);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('settings: link in, change without reload, link out, IndexedDB round trip, bad links refused', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`/?${model()}&k=8&selection=token`);
  await ready(page);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByLabel(/Top-k size k/)).toHaveValue('8');
  await expect(page.getByLabel(/Selection mode/)).toHaveValue('token');
  await expect(page.getByText('Started from the link you opened')).toBeVisible();
  expect(await savedSettings(page)).toMatchObject({ k: 8, selection: 'token', batchSize: 4 });

  // A change reaches the running loop at once: the next reply is at most 3 tokens long.
  const maxTokens = page.getByLabel(/Max reply tokens/);
  await maxTokens.fill('3');
  await maxTokens.press('Tab');
  await expect.poll(() => new URL(page.url()).searchParams.get('maxTokens')).toBe('3');
  expect(new URL(page.url()).searchParams.get('model')).toBe(base);
  await expect.poll(async () => (await savedSettings(page))?.maxTokens).toBe(3);
  await page.getByRole('textbox', { name: 'Message' }).fill('hello there');
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByTestId('assistant-text').first();
  await expect(reply).toBeVisible({ timeout: 60_000 });
  expect([...((await reply.textContent()) ?? '')].length).toBeLessThanOrEqual(3);

  // A value out of range is refused with the reason and the field snaps back.
  const k = page.getByLabel(/Top-k size k/);
  await k.fill('99');
  await k.press('Tab');
  await expect(page.getByTestId('settings-problems')).toContainText('k must be in [1, 32], got 99');
  await expect(k).toHaveValue('8');

  // Where the agent acts, C moves to the environments' default (2, METHOD §5) and back, unless it was chosen.
  const environment = page.getByLabel(/^Environment/);
  const clip = page.getByLabel(/Advantage clip C/);
  await environment.selectOption('tool-use');
  await expect(clip).toHaveValue('2');
  await expect.poll(() => new URL(page.url()).searchParams.get('C')).toBe('2');
  await environment.selectOption('chat');
  await expect(clip).toHaveValue('1');

  // The same browser without settings in the link: IndexedDB's object comes back.
  await page.goto(`/?${model()}`);
  await ready(page);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByText('Started as saved in this browser')).toBeVisible();
  await expect(page.getByLabel(/Max reply tokens/)).toHaveValue('3');
  await expect(page.getByLabel(/Top-k size k/)).toHaveValue('8');
  expect(new URL(page.url()).searchParams.get('k')).toBe('8');

  // Reset to defaults clears the link's knobs.
  await page.getByRole('button', { name: 'Reset to defaults' }).click();
  await expect(page.getByLabel(/Top-k size k/)).toHaveValue('4');
  await expect.poll(() => [...new URL(page.url()).searchParams.keys()]).toEqual(['model']);

  // A link with a bad value says what is wrong and starts from what was saved.
  await page.goto(`/?${model()}&C=abc&batchSize=0`);
  await ready(page);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('settings-problems')).toContainText('C must be a finite number');
  await expect(page.getByTestId('settings-problems')).toContainText('batchSize must be in [1, 256], got 0');
});

test('a judge API key stays out of the link and IndexedDB', async ({ page }) => {
  await page.goto(`/?${model()}`);
  await ready(page);
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'OpenAI-compatible' }).check();
  await page.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
  await page.getByLabel('Model', { exact: true }).fill('judge-model');
  await page.getByLabel('API key').fill('sk-secret-4242');
  await page.getByRole('button', { name: 'Use this judge' }).click();
  await expect(page.getByTestId('judge-in-use')).toContainText('judge-model at http://127.0.0.1:9/v1 (with API key)');
  await expect(page.getByTestId('judge-in-use')).not.toContainText('sk-secret');
  expect(page.url()).not.toContain('sk-secret');
  expect(await savedSettings(page)).toBeDefined();
  const everything = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('nextstate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('records').objectStore('records').getAll();
          all.onsuccess = () => resolve(JSON.stringify(all.result, (_k, v) => (ArrayBuffer.isView(v) ? '<bytes>' : v)));
          all.onerror = () => reject(all.error);
        };
      }),
  );
  expect(everything.length).toBeGreaterThan(100);
  expect(everything).not.toContain('sk-secret');
  const dump = await page.evaluate(() => document.documentElement.outerHTML);
  expect(dump.includes('sk-secret-4242')).toBe(false);
  expect(await page.evaluate(() => localStorage.getItem('nextstate.judge-config'))).toContain('sk-secret-4242');
  // Back to the built-in judge.
  await page.getByRole('radio', { name: 'Built-in' }).check();
  await page.getByRole('button', { name: 'Use this judge' }).click();
  await expect(page.getByTestId('judge-in-use')).toContainText('the built-in judge');
});

test('rollback serves an earlier version again', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`/?${model()}&maxTokens=8&batchSize=1`);
  await ready(page);
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('what is 7 times 6?');
  await box.press('Enter');
  await expect(page.getByTestId('assistant-text').first()).toBeVisible({ timeout: 60_000 });
  await box.fill('wrong, answer in lowercase please');
  await box.press('Enter');
  await expect(page.getByTestId('serving-version')).toContainText('v1', { timeout: 120_000 });
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByRole('button', { name: 'Serve v0' }).click();
  await expect(page.getByTestId('serving-version')).toContainText('v0', { timeout: 60_000 });
  await expect(page.getByTestId('version-history').locator('li.serving')).toContainText('v0');
  await expect(page.getByRole('button', { name: 'Serve v1' })).toBeVisible();
  await box.fill('thanks');
  await box.press('Enter');
  await expect(page.locator('[data-testid="turn-signals"][data-turn="3"]').getByTestId('turn-version')).toHaveText('v0', { timeout: 60_000 });
});
