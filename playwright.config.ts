import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/browser/chromium.ts';

// One port per run, inherited by the test workers, so runs side by side never share a server.
process.env.NEXTSTATE_TEST_PORT ??= String(5200 + Math.floor(Math.random() * 2000));
const port = Number(process.env.NEXTSTATE_TEST_PORT);

export default defineConfig({
  testDir: '.',
  testMatch: ['test/browser/**/*.spec.ts', 'src/**/*.browser.test.ts'],
  timeout: 300_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${port}`,
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1280, height: 800 },
  },
  webServer: {
    command: `npx vite --host 127.0.0.1 --port ${port} --strictPort`,
    env: { NEXTSTATE_STATIC: '1' },
    url: `http://localhost:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
