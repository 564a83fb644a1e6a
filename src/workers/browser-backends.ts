/**
 * Browser only: both tfjs backends loaded with the worker (a later dynamic import could meet a stale
 * dev-server bundle), and the wasm binaries as URLs the bundler serves (no network needed).
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setWasmBinaries } from './tfjs-backend.ts';

setWasmBinaries({
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
});

// A wasm backend thread (an emscripten pthread worker) that fails reaches this worker as its ErrorEvent,
// rethrown by emscripten; the page would see only "Uncaught [object ErrorEvent]". Rethrown with its message.
self.addEventListener('error', (event) => {
  const thread = event.error;
  if (!(thread instanceof ErrorEvent)) return;
  event.preventDefault();
  setTimeout(() => {
    throw new Error(`a thread of the tfjs wasm backend failed: ${thread.message}`);
  });
});
