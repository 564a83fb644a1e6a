import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts', 'server/**/*.test.ts'],
    exclude: ['src/**/*.browser.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs wasm in Node uses one core per process; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
