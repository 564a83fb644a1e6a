import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { tfjsWasmThreadedFactory } from './scripts/vite-tfjs-wasm.ts';

// Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte(), tfjsWasmThreadedFactory()],
  // Tests and benchmarks (NEXTSTATE_STATIC=1) serve files as they are: no hot reload of a page under test.
  server: { headers: isolation, ...(process.env.NEXTSTATE_STATIC ? { hmr: false, watch: null } : {}) },
  preview: { headers: isolation },
  // One engine worker script (src/workers/engine.worker.ts) for every engine: tfjs is downloaded once.
  worker: { format: 'es', plugins: () => [tfjsWasmThreadedFactory()] },
  // Pre-bundled up front: a dependency discovered later (a worker's dynamic import) makes Vite reload the page.
  optimizeDeps: {
    entries: ['index.html', 'bench.html', 'test/browser/pages/*.html', 'src/workers/*.worker.ts'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'comlink', 'idb-keyval'],
  },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        bench: resolve(import.meta.dirname, 'bench.html'),
      },
    },
  },
});
