/**
 * The production build (issue 18): `vite build` into a temporary folder, once per run, served by
 * `vite preview` on 127.0.0.1 with the config's cross-origin isolation headers, on a port of its own. A
 * visitor loads the page, chats (the reply streams), corrects the agent (batch size 1: the policy reaches
 * v1) and reloads (the session and v1 survive). The dev server the other tests use never bundles or
 * minifies the workers; this test sees what a deployed page runs. It also counts, at the server, what the
 * page downloads: the engine workers share one script, so tfjs arrives once.
 */
import { test, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';

const root = resolve(import.meta.dirname, '../..');

let outDir: string;
let server: PreviewServer;
let origin: string;
/** Every response the preview server sent: path and status. */
const served: { path: string; status: number }[] = [];

test.beforeAll(async () => {
  test.setTimeout(300_000);
  outDir = mkdtempSync(join(tmpdir(), 'nextstate-built-'));
  const build = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  server = await preview({ root, logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true } });
  server.httpServer.on('request', (req, res) => {
    res.on('finish', () => served.push({ path: decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname), status: res.statusCode }));
  });
  origin = new URL(server.resolvedUrls!.local[0]).origin;
});

test.afterAll(async () => {
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The chat, or the loading screen's reason why not (no waiting out the timeout on a page that gave up). */
async function ready(page: Page): Promise<void> {
  const chat = page.getByRole('textbox', { name: 'Message' });
  await expect(chat.or(page.getByTestId('load-error'))).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('load-error')).toHaveCount(0);
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.keyboard.press('Enter');
}

test('the built site loads, chats, updates the policy to v1 and keeps it across a reload', async ({ page }) => {
  test.setTimeout(400_000);
  const workerErrors: string[] = [];
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && workerErrors.push(m.text())));
  page.on('pageerror', (e) => workerErrors.push(e.message));

  await page.goto(`${origin}/?maxTokens=16&batchSize=1`);
  await ready(page);
  await expect(page.getByTestId('backend')).toContainText(/Backend: (wasm|webgpu) — .+/);
  await expect(page.getByTestId('serving-version')).toContainText('v0');

  // One message; the reply streams in (the bubble shows a growing text before the reply is done).
  const streamed = page.evaluate(
    () =>
      new Promise<number>((done) => {
        const texts = new Set<string>();
        const observer = new MutationObserver(() => {
          const text = document.querySelector('[data-testid="streaming-reply"]')?.textContent;
          if (text) texts.add(text);
          if (document.querySelector('[data-testid="assistant-text"]')) {
            observer.disconnect();
            done(texts.size);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      }),
  );
  await send(page, 'what is 2 plus 3?');
  expect(await streamed, 'the reply appeared in several steps').toBeGreaterThan(1);
  const reply = (await page.getByTestId('assistant-text').first().textContent()) ?? '';
  expect(reply.length).toBeGreaterThan(0);

  // The correction is turn 1's next state: judged, and with batch size 1 its sample makes update 1.
  await send(page, 'too long, one sentence please');
  const turn1 = page.locator('[data-testid="turn-signals"][data-turn="1"]');
  await expect(turn1.getByTestId('judge-score')).toHaveText('−1', { timeout: 120_000 });
  await expect(page.getByTestId('serving-version')).toContainText('v1', { timeout: 180_000 });
  await expect(turn1.getByTestId('turn-training')).toHaveText('Trained in the update that made v1.', { timeout: 30_000 });

  // What the first visit downloaded, counted at the server (before the reload's requests).
  const firstVisit = served.filter((r) => r.status === 200);
  const workerScripts = firstVisit.filter((r) => /\/assets\/engine\.worker-[\w-]+\.js$/.test(r.path));
  // A 200 carries the whole file (sirv sends files as they are, uncompressed).
  const fileSize = (path: string) => statSync(join(outDir, path === '/' ? 'index.html' : path)).size;
  const bytes = (pick: (path: string) => boolean) => firstVisit.filter((r) => pick(r.path)).reduce((n, r) => n + fileSize(r.path), 0);
  const dist = filesUnder(outDir).map((f) => ({ f, size: statSync(f).size }));
  console.log(JSON.stringify({
    dist_bytes: dist.reduce((n, x) => n + x.size, 0),
    dist_js_bytes: dist.filter((x) => x.f.endsWith('.js')).reduce((n, x) => n + x.size, 0),
    page_download_bytes: bytes(() => true),
    page_download_js_bytes: bytes((p) => p.endsWith('.js')),
    page_download_wasm_bytes: bytes((p) => p.endsWith('.wasm')),
    page_download_model_bytes: bytes((p) => p.startsWith('/models/')),
    engine_worker_script_downloads: workerScripts.length,
  }));
  // tfjs is in one script, fetched in full once; the other workers reuse it.
  const withTfjs = dist.filter((x) => x.f.endsWith('.js') && readFileSync(x.f, 'utf8').includes('WasmBackendModuleThreadedSimd'));
  expect(withTfjs.map((x) => x.f.replace(/.*\/assets\//, '').replace(/-[\w-]+\.js$/, ''))).toEqual(['engine.worker']);
  expect(workerScripts.length).toBe(1);

  // A reload: the session, its messages and version 1 are still there.
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('serving-version')).toContainText('v1');
  await expect(page.getByTestId('user-text').first()).toHaveText('what is 2 plus 3?');
  await expect(page.getByTestId('assistant-text').first()).toHaveText(reply);
  await expect(page.locator('[data-testid="turn-signals"][data-turn="1"]').getByTestId('turn-training')).toHaveText('Trained in the update that made v1.');
  expect(workerErrors).toEqual([]);
});
