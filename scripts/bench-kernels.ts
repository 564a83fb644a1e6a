/**
 * `npm run bench:kernels -- [--json] [--reps N] [--V 32768,151936] [--T 512] [--H 3] [--k 4] [--no-reference]`
 * Serves the app with vite on a free localhost port (no HMR: an edit elsewhere must not reload the run),
 * opens /bench.html in headless Chromium (WebGPU on whatever adapter it finds: SwiftShader on a machine
 * without a GPU), waits for the page's result and prints it: JSON with --json, else a table. Progress
 * lines go to stderr.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { chromiumArgs, findChromium } from '../test/browser/chromium.ts';
import type { BenchReport } from '../src/kernels/bench/measure.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};

const query = new URLSearchParams();
for (const name of ['T', 'H', 'k', 'V', 'reps']) {
  const value = option(name);
  if (value !== undefined) query.set(name, value);
}
if (flag('no-reference')) query.set('reference', '0');
if (flag('no-subgroups')) query.set('subgroups', '0');

const server = await createServer({ root: process.cwd(), logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false } });
await server.listen();
const port = (server.httpServer!.address() as AddressInfo).port;
const executablePath = findChromium();
if (!executablePath) throw new Error('bench:kernels needs Chromium (set CHROMIUM_PATH)');
const browser = await chromium.launch({ executablePath, args: chromiumArgs });
let exitCode = 0;
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.text().startsWith('[bench]') && process.stderr.write(`${m.text()}\n`));
  await page.goto(`http://localhost:${port}/bench.html?${query}`);
  await page.waitForFunction(() => 'benchResult' in window || 'benchError' in window, null, { timeout: 60 * 60_000, polling: 1000 });
  const { result, error } = await page.evaluate(() => {
    const w = window as unknown as { benchResult?: unknown; benchError?: string };
    return { result: w.benchResult, error: w.benchError };
  });
  if (error) throw new Error(error);
  const report = result as BenchReport;
  if (flag('json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const a = report.adapter;
    console.log(`adapter: ${a.vendor} / ${a.architecture} ${a.description} (fallback ${a.isFallbackAdapter}), row layout ${report.layout.reduce} × ${report.layout.workgroupSize}`);
    console.table(report.rows);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
process.exit(exitCode);
