/**
 * The playground as a new visitor meets it (issue 6 tests, issue 2 "The first page"), in real Chromium with
 * real workers and IndexedDB: first load with a progress bar → the backend and why → a message sent by
 * keyboard → a streamed reply → a correction → the judge's score and hint under the reply → the token
 * heatmap → an update lands (batch size 1 from the link) → export → import in a fresh profile → the same
 * session. Screenshots of every panel go to test/browser/screenshots/ (git-ignored) to be looked at.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { testModel } from './app-fixtures.ts';

const SHOTS = resolve(import.meta.dirname, 'screenshots');
const PANELS = ['Token inspector', 'Training', 'Settings', 'Sessions', 'Workshop'] as const;

let model: { base: string; shipped: boolean };

test.beforeAll(async () => {
  model = await testModel();
  mkdirSync(SHOTS, { recursive: true });
  if (!model.shipped) console.log(`public/models has no shipped checkpoint yet: using a random one at ${model.base}`);
});

/** Short replies keep the test fast: tfjs wasm in three workers on two cores. */
function pageUrl(extra = ''): string {
  return `/?model=${encodeURIComponent(model.base)}&maxTokens=16${extra}`;
}

async function ready(page: Page): Promise<void> {
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** Records every text the streaming reply bubble shows, so the test can see it grow token by token. */
async function watchStreaming(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { streamedTexts: string[] }).streamedTexts = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="streaming-reply"]');
      const text = el?.textContent?.replace('▍', '') ?? null;
      if (text !== null && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function sendByKeyboard(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('a new visitor chats, corrects the agent, sees signals, heatmap and an update, exports and imports', async ({ page, browser }, testInfo) => {
  test.setTimeout(360_000);
  await page.goto(pageUrl('&batchSize=1'));

  // First load: the progress bar, then the backend in use and why.
  await expect(page.getByRole('progressbar', { name: 'Model loading progress' })).toBeVisible();
  await ready(page);
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? { fallback: (a.info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false } : null;
  });
  const backend = page.getByTestId('backend');
  // WebGPU unless the only adapter is a software fallback (issue 2): SwiftShader here, so wasm.
  if (!adapter || adapter.fallback) await expect(backend).toContainText(/Backend: wasm — .*(fallback|no WebGPU)/);
  else await expect(backend).toContainText(/Backend: webgpu — .+/);
  await expect(page.getByTestId('serving-version')).toContainText('v0');
  await shoot(page, 'first-load-1280');

  // A message by keyboard only (Enter sends), and its reply streams in.
  await watchStreaming(page);
  await sendByKeyboard(page, 'what is 2 plus 3?');
  const firstReply = page.getByTestId('assistant-text').first();
  await expect(firstReply).toBeVisible({ timeout: 60_000 });
  const reply1 = (await firstReply.textContent()) ?? '';
  const streamed = await page.evaluate(() => (window as unknown as { streamedTexts: string[] }).streamedTexts);
  expect(streamed.length, 'the reply appeared in several steps').toBeGreaterThan(1);
  for (let i = 1; i < streamed.length; i++) expect(streamed[i].startsWith(streamed[i - 1]), 'each step extends the last').toBe(true);
  expect(reply1.startsWith(streamed.at(-1)!) || streamed.at(-1)!.startsWith(reply1)).toBe(true);
  const signals1 = page.locator('[data-testid="turn-signals"][data-turn="1"]');
  await expect(signals1.getByTestId('turn-version')).toHaveText('v0');
  await expect(signals1).toContainText('Waiting for its next state');

  // Shift+Enter is a new line, not a send.
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.type('too long,');
  await page.keyboard.press('Shift+Enter');
  await expect(box).toHaveValue('too long,\n');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(' one sentence please');
  await page.keyboard.press('Enter');

  // The correction is turn 1's next state: the judge says −1 and a hint is selected (METHOD §2–4).
  await expect(signals1.getByTestId('judge-score')).toHaveText('−1', { timeout: 120_000 });
  await expect(signals1).toContainText(/Next state\s*user/);
  await expect(signals1).toContainText(/votes (−1|\+1|0|failed)(, (−1|\+1|0|failed)){2}/);
  const hints = signals1.getByTestId('hint-candidates').locator('li');
  expect(await hints.count()).toBeGreaterThanOrEqual(1);
  await expect(signals1.getByTestId('hint-candidates').locator('li.selected')).toHaveCount(1);

  // Batch size 1 came from the link: the turn's sample makes update 1, which is then served.
  await expect(page.getByTestId('serving-version')).toContainText('v1', { timeout: 180_000 });
  await expect(signals1.getByTestId('turn-training')).toHaveText('Trained in the update that made v1.', { timeout: 30_000 });
  await expect(page.locator('[data-testid="turn-signals"][data-turn="2"]').getByTestId('turn-version')).toHaveText('v0');

  // The inspector: the reply's tokens as a heatmap, one chip per response token.
  await signals1.getByRole('button', { name: 'Inspect tokens of reply 1' }).click();
  const heatmap = page.getByTestId('token-heatmap');
  await expect(heatmap).toBeVisible();
  const chips = heatmap.getByRole('option');
  expect(await chips.count()).toBeGreaterThan(0);
  const coloured = await chips.evaluateAll((els) => els.filter((e) => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)').length);
  expect(coloured, 'some tokens carry an OPD colour').toBeGreaterThan(0);
  // Keyboard: focus the strip, walk to a token, and check its numbers against METHOD §5 by hand.
  await heatmap.focus();
  await page.keyboard.press('ArrowRight');
  const detail = page.getByTestId('position-detail');
  await expect(detail).toContainText('Position 1');
  const rows = await page.getByTestId('support-table').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
  expect(rows.length).toBeGreaterThan(0);
  const num = (s: string) => Number(s.replace('✂', '').replace('−', '-').trim());
  const C = 1;
  let weightSum = 0;
  for (const [, w, before, after, a] of rows) {
    weightSum += num(w);
    expect(num(after)).toBeCloseTo(Math.max(-C, Math.min(C, num(before))), 2);
    expect(num(a)).toBeCloseTo(num(w) * num(after), 2);
  }
  expect(weightSum).toBeCloseTo(1, 2);
  // O[h,i] at this position is the number of student top-k tokens marked as shared.
  const shared = await detail.locator('table.topk').first().locator('tr.shared').count();
  await expect(detail).toContainText(`O = ${shared} of`);
  await shoot(page, 'panel-token-inspector-1280');

  // Every panel, at 1280×800 and at 400 px wide.
  for (const name of PANELS) {
    await page.getByRole('tab', { name }).click();
    await expect(page.getByRole('tabpanel')).toBeVisible();
    await shoot(page, `panel-${name.toLowerCase().replace(' ', '-')}-1280`);
  }
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByTestId('chart-loss')).toContainText('total:');
  await expect(page.getByTestId('version-history').locator('li.serving')).toContainText('v1');
  // Tabs follow the arrow keys.
  await page.getByRole('tab', { name: 'Training' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
  await page.setViewportSize({ width: 400, height: 800 });
  for (const name of PANELS) {
    await page.getByRole('tab', { name }).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} fits 400 px`).toBeLessThanOrEqual(0);
    await shoot(page, `panel-${name.toLowerCase().replace(' ', '-')}-400`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Export: four files (METHOD §8 records + manifest).
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await page.getByRole('button', { name: 'Export all sessions' }).click();
  const links = page.getByTestId('export-links').getByRole('link');
  await expect(links).toHaveCount(4);
  const saved: string[] = [];
  for (let i = 0; i < 4; i++) {
    const [download] = await Promise.all([page.waitForEvent('download'), links.nth(i).click()]);
    const path = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(path);
    saved.push(path);
  }
  expect(saved.map((p) => p.replace(/.*-/, '')).sort()).toEqual(['judge.jsonl', 'manifest.json', 'samples.jsonl', 'turns.jsonl']);
  // The served policy as safetensors + manifest: the bytes match the manifest's size and sha256.
  await page.getByRole('button', { name: 'Export the served checkpoint (v1)' }).click();
  const checkpointLinks = page.getByTestId('checkpoint-links').getByRole('link');
  await expect(checkpointLinks).toHaveText(['nextstate-policy-v1.safetensors', 'nextstate-policy-v1.json']);
  const fetched: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const [download] = await Promise.all([page.waitForEvent('download'), checkpointLinks.nth(i).click()]);
    fetched.push(readFileSync((await download.path())!));
  }
  const manifest = JSON.parse(fetched[1].toString('utf8')) as { sha256: string; bytes: number; format: string };
  expect(manifest.format).toBe('nextstate-checkpoint');
  expect(fetched[0].length).toBe(manifest.bytes);
  expect(createHash('sha256').update(fetched[0]).digest('hex')).toBe(manifest.sha256);

  const title = (await page.getByTestId('session-row').first().getByRole('button').first().textContent())?.trim();
  const original = await page.locator('.log .message .text').allTextContents();

  await importInFreshProfile(browser, testInfo.project.use.baseURL!, saved, title!, original);
});

async function importInFreshProfile(browser: Browser, baseURL: string, files: string[], title: string, original: string[]) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(pageUrl());
  await ready(page);
  await page.getByRole('tab', { name: 'Sessions' }).click();
  const rows = page.getByTestId('session-row');
  await expect(rows).toHaveCount(1); // the empty session a new visitor starts with
  await expect(rows.first()).not.toContainText(title);

  // A damaged export is refused with a message and changes nothing.
  const picker = page.getByLabel(/Pick the four files/);
  await picker.setInputFiles(files.filter((f) => !f.endsWith('samples.jsonl')));
  await expect(page.getByTestId('import-problems')).toContainText('missing file(s): samples.jsonl');
  await expect(rows).toHaveCount(1);

  await picker.setInputFiles(files);
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 session: 2 turns, 2 judge records, 1 sample.');
  await expect(rows).toHaveCount(2);
  const imported = rows.filter({ hasText: title });
  await expect(imported).toHaveCount(1);
  await imported.getByRole('button', { name: title, exact: true }).click();
  await expect(page.locator('.log .message .text')).toHaveText(original);
  await expect(page.locator('[data-testid="turn-signals"][data-turn="1"]').getByTestId('judge-score')).toHaveText('−1');
  await shoot(page, 'import-fresh-profile-1280');
  await context.close();
}
