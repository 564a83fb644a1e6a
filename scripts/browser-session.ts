/**
 * For benchmarks that run in a browser: serve the repo with Vite on a free localhost port and open
 * headless system Chromium with WebGPU enabled (shared/WEBGPU-HERE.md).
 */
import type { AddressInfo } from 'node:net';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, findChromium } from '../test/browser/chromium.ts';

export interface BrowserSession {
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function openBrowserSession(what: string): Promise<BrowserSession> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`${what} needs Chromium: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  const server: ViteDevServer = await createServer({ root: process.cwd(), logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null } });
  await server.listen();
  const port = (server.httpServer!.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath, args: chromiumArgs });
  return {
    baseUrl: `http://localhost:${port}`,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
