/**
 * Issue 12 in the page: a tiny Hugging Face model (scripts/gen-hf-checkpoint.ts, written under .cache/ which the
 * dev server serves) is picked, planned before any download, downloaded with progress, chatted with, cached (the
 * next visit fetches no weight), and forgotten; and each way a model can be refused or a download fail.
 */
import { test, expect, type Page, type Request } from '@playwright/test';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';

const root = resolve(import.meta.dirname, '../..');
const FOLDERS = '/.cache/hf-page';

/** A fresh tiny model folder under .cache/hf-page/<name>; its page-relative URL. */
function folder(name: string, spec: Parameters<typeof writeTinyHfCheckpoint>[1], drop: string[] = []): string {
  const dir = resolve(root, `.${FOLDERS}/${name}`);
  rmSync(dir, { recursive: true, force: true });
  writeTinyHfCheckpoint(dir, spec);
  for (const file of drop) rmSync(resolve(dir, file));
  return `${FOLDERS}/${name}`;
}

const weightRequests = (page: Page): Request[] => {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (r.url().includes(FOLDERS) && r.url().endsWith('.safetensors')) seen.push(r);
  });
  return seen;
};

async function cachedKeys(page: Page, part: string): Promise<string[]> {
  return page.evaluate(async (p) => (await (await caches.open('nextstate-models')).keys()).map((r) => r.url).filter((u) => u.includes(p)), part);
}

test('a Hugging Face model folder is picked, planned, downloaded with progress, chatted with, cached, and forgotten', async ({ page }) => {
  test.setTimeout(300_000);
  const url = folder('good', { family: 'qwen2', dtype: 'bf16', shards: 2, seed: 3 });
  const weights = weightRequests(page);

  // The picker: a folder URL reloads the page on a link that carries the choice.
  await page.goto('/');
  await page.getByText('Model:').click();
  await page.getByLabel(/Hugging Face repo id or model folder URL/).fill(`${url}/`);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]hf=${encodeURIComponent(url).replace(/\./g, '\\.')}`));
  await expect(page.getByTestId('model-name')).toHaveText(url);

  // Before any download: files, sizes, the memory plan and the quota; no weight fetched yet (only asked its size).
  await expect(page.getByTestId('model-family')).toContainText('Family qwen2, 2 layers');
  await expect(page.getByTestId('model-plan')).toContainText(/Memory on this device: [\d.]+ MB — weights as f32/);
  await expect(page.getByTestId('model-plan')).toContainText(/Storage: .* allowed to this site/);
  await expect(page.getByRole('table', { name: 'Model files' }).locator('tbody tr')).toHaveCount(7);
  expect(weights.filter((r) => r.method() === 'GET'), 'no weight downloaded before the go-ahead').toHaveLength(0);

  await page.getByRole('button', { name: 'Download and load' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  for (const shard of ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']) {
    await expect(page.getByRole('progressbar', { name: `Download of ${shard}` })).toHaveAttribute('value', '100');
  }
  await expect(page.getByRole('progressbar', { name: 'Model download overall' })).toHaveAttribute('value', '100');
  await expect(page.getByTestId('model-training')).toContainText(/Learning: a LoRA adapter \(r 8, alpha 16, on q, k, v, o\) trains on the frozen base;[\s\S]*Memory: one update of 4 sample\(s\) × \d+ tokens needs about [\d.]+ MB/);

  // Chat on the model's own vocabulary; the next message judges the first turn.
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('hello there');
  await box.press('Enter');
  await expect(page.getByTestId('assistant-text').first()).toBeVisible({ timeout: 60_000 });
  await expect(box).toBeEnabled({ timeout: 60_000 });
  await box.fill('no, that is wrong');
  await box.press('Enter');
  const signals1 = page.locator('[data-testid="turn-signals"][data-turn="1"]');
  await expect(signals1.getByTestId('judge-score')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('serving-version')).toContainText('v0');
  // The token inspector shows the turn's directive signal over the model's vocabulary.
  await expect(page.getByTestId('token-heatmap')).toBeVisible({ timeout: 60_000 });

  // Cached: a second visit asks for no weight at all.
  expect((await cachedKeys(page, url)).length).toBeGreaterThanOrEqual(8);
  weights.length = 0;
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  expect(weights, 'the second load fetched no weight').toHaveLength(0);
  await expect(page.getByRole('table', { name: 'Model files' })).toContainText('cached');

  // Forget this model: its files leave the cache.
  await page.getByRole('button', { name: 'Forget this model' }).click();
  await expect(page.getByTestId('model-forgotten')).toContainText(/Forgot \d+ cached files/);
  expect(await cachedKeys(page, url)).toEqual([]);
});

test('refused before any download: an unsupported architecture, a missing file, a model over the storage quota', async ({ page }) => {
  test.setTimeout(180_000);
  const weights = weightRequests(page);
  const gpt2 = folder('gpt2', { family: 'llama', configOverrides: { model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] } });
  await page.goto(`/?hf=${encodeURIComponent(gpt2)}`);
  await expect(page.getByTestId('model-problem')).toContainText('config.json model_type "gpt2" (GPT2LMHeadModel) is not supported; supported families: llama, qwen2, qwen3');

  const missing = folder('missing', { family: 'llama' }, ['model.safetensors']);
  await page.goto(`/?hf=${encodeURIComponent(missing)}`);
  await expect(page.getByTestId('model-problem')).toContainText(/nothing was downloaded: .*missing has no model\.safetensors/);

  const big = folder('big', { family: 'qwen3' });
  await page.addInitScript(() => {
    Object.defineProperty(navigator.storage, 'estimate', { value: async () => ({ quota: 50_000, usage: 20_000 }) });
  });
  await page.goto(`/?hf=${encodeURIComponent(big)}`);
  await expect(page.getByTestId('model-problem')).toContainText(/will not fit, so nothing was downloaded: the files need [\d.]+ MB of storage; this site may use 0 MB more/);
  await expect(page.getByRole('button', { name: 'Download and load' })).toHaveCount(0);
  expect(weights.filter((r) => r.method() === 'GET')).toHaveLength(0);
});

test('a corrupt safetensors header is refused and not cached', async ({ page }) => {
  const url = folder('corrupt', { family: 'llama' });
  await page.route(`**${url}/model.safetensors`, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body.writeUInt32LE(0xfffffff0, 0); // a header longer than the file
    await route.fulfill({ response, body });
  });
  await page.goto(`/?hf=${encodeURIComponent(url)}`);
  await page.getByRole('button', { name: 'Download and load' }).click();
  await expect(page.getByTestId('model-problem')).toContainText(/model\.safetensors: header length \d+ does not fit the file/);
  expect(await cachedKeys(page, `${url}/model.safetensors`)).toEqual([]);
});

test('a download cut off midway caches nothing and a retry loads the model cleanly', async ({ page }) => {
  test.setTimeout(180_000);
  const url = folder('cut', { family: 'llama', dtype: 'f32' });
  let cut = true;
  await page.route(`**${url}/model.safetensors`, async (route) => {
    if (route.request().method() !== 'GET' || !cut) return route.continue();
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    // Half the bytes under the whole file's length: the browser sees the connection end early.
    await route.fulfill({ status: 200, headers: { ...response.headers(), 'content-length': String(body.length) }, body: body.subarray(0, body.length >> 1) });
  });
  await page.goto(`/?hf=${encodeURIComponent(url)}`);
  await page.getByRole('button', { name: 'Download and load' }).click();
  await expect(page.getByTestId('model-problem')).toContainText(/model\.safetensors: (the download broke off|got \d+ of \d+ bytes).*nothing was cached/);
  expect(await cachedKeys(page, `${url}/model.safetensors`)).toEqual([]);
  cut = false;
  await page.getByRole('button', { name: 'Retry the download' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  expect(await cachedKeys(page, `${url}/model.safetensors`)).toHaveLength(1);
});

test('a model folder picked from disk loads in place, with no download and nothing cached', async ({ page }) => {
  test.setTimeout(180_000);
  const url = folder('local', { family: 'qwen3', dtype: 'f16' });
  await page.goto('/');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  const weights = weightRequests(page);
  await page.getByText('Model:').click();
  await page.getByTestId('model-folder').setInputFiles(resolve(root, `.${url}`));
  await expect(page.getByTestId('model-name')).toHaveText('local (from disk)');
  await expect(page.getByTestId('model-family')).toContainText('Family qwen3');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('hi');
  await box.press('Enter');
  await expect(page.getByTestId('assistant-text').first()).toBeVisible({ timeout: 60_000 });
  expect(weights).toHaveLength(0);
  expect(await cachedKeys(page, 'local')).toEqual([]);
});

test('a Hub repo id is fetched from huggingface.co resolve/main URLs (routed here to a local folder)', async ({ page }) => {
  test.setTimeout(180_000);
  const url = folder('hub', { family: 'llama', dtype: 'bf16' });
  const asked: string[] = [];
  await page.route('https://huggingface.co/**', async (route) => {
    const request = route.request();
    asked.push(`${request.method()} ${new URL(request.url()).pathname}`);
    const name = new URL(request.url()).pathname.split('/').pop()!;
    const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length, x-linked-size', 'cross-origin-resource-policy': 'cross-origin' };
    let body: Buffer;
    try {
      body = readFileSync(resolve(root, `.${url}/${name}`));
    } catch {
      return route.fulfill({ status: 404, headers: cors, body: 'Entry not found' });
    }
    await route.fulfill({ status: 200, headers: { ...cors, 'content-type': 'application/octet-stream', 'x-linked-size': String(body.length) }, body: request.method() === 'HEAD' ? '' : body });
  });
  await page.goto(`/?hf=${encodeURIComponent('nextstate-test/tiny-llama')}`);
  await expect(page.getByTestId('model-name')).toHaveText('nextstate-test/tiny-llama');
  await expect(page.getByTestId('model-family')).toContainText('Family llama');
  expect(asked).toContain('HEAD /nextstate-test/tiny-llama/resolve/main/model.safetensors');
  expect(asked).not.toContain('GET /nextstate-test/tiny-llama/resolve/main/model.safetensors');
  await page.getByRole('button', { name: 'Download and load' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  expect(asked).toContain('GET /nextstate-test/tiny-llama/resolve/main/model.safetensors');
  await page.getByRole('button', { name: 'Forget this model' }).click();
  await expect(page.getByTestId('model-forgotten')).toContainText('huggingface.co/nextstate-test/tiny-llama/resolve/main');
});
