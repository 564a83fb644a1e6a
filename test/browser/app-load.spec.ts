/**
 * The first page when the model files are missing or damaged (issue 2): the visitor gets a clear message,
 * not a blank page or a stuck progress bar.
 */
import { test, expect } from '@playwright/test';
import { testModel } from './app-fixtures.ts';

let base: string;

test.beforeAll(async () => {
  base = (await testModel()).base;
});

test('a missing model says which file is missing', async ({ page }) => {
  await page.goto('/?model=/models/no-such-model');
  const error = page.getByTestId('load-error');
  await expect(error).toContainText('The model manifest is missing: /models/no-such-model.json');
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
});

test('corrupt weights are refused by their checksum before any worker sees them', async ({ page }) => {
  await page.route(`**${base}.safetensors`, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length >> 1] ^= 0xff; // one flipped byte in the middle of the weights
    await route.fulfill({ response, body });
  });
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByTestId('load-error')).toContainText(/weights .* are corrupt: their sha256 [0-9a-f]{12}… differs/);
});

test('truncated weights are refused by their size', async ({ page }) => {
  await page.route(`**${base}.safetensors`, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    await route.fulfill({ response, body: body.subarray(0, body.length - 1000), headers: { ...response.headers(), 'content-length': String(body.length - 1000) } });
  });
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByTestId('load-error')).toContainText(/bytes; the manifest says \d+\. The file is truncated/);
});

test('a manifest of another format is refused', async ({ page }) => {
  await page.route(`**${base}.json`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ format: 'gguf', sha256: 'x' }) }));
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByTestId('load-error')).toContainText('its format is "gguf", not "nextstate-checkpoint"');
});
