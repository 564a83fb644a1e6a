/**
 * The first page when the model files are missing or damaged (issue 2), or an engine worker cannot start
 * (issue 18): the visitor gets a clear message and a way to try again, not a blank page or a stuck progress
 * bar.
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

/** The engine workers' script (src/workers/engine.worker.ts, which every engine worker runs). */
const ENGINE_WORKER = /\.worker\.ts(\?|$)/;

test('an engine worker whose script cannot be loaded ends the loading screen with the reason; Try again recovers', async ({ page }) => {
  await page.route(ENGINE_WORKER, (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByTestId('load-error')).toContainText(/^The (policy|signal|trainer) worker failed to start: its script could not be loaded$/, { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'The playground could not start' })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await page.unroute(ENGINE_WORKER);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('load-error')).toHaveCount(0);
});

test('an engine worker that throws while it starts ends the loading screen with its error', async ({ page }) => {
  // The served script's headers (the page is cross-origin isolated: its workers must be too), a body that throws.
  await page.route(ENGINE_WORKER, async (route) => route.fulfill({ response: await route.fetch(), body: 'throw new ReferenceError("e is not defined");' }));
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByTestId('load-error')).toContainText(/^The (policy|signal|trainer) worker failed to start: .*ReferenceError: e is not defined$/, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
});
