/**
 * Build only: keeps tfjs-backend-wasm's threaded factory exactly as tfjs ships it. tfjs hands each pthread
 * worker the factory's own source (`wasmFactoryThreadedSimd.toString()` in a blob), so that function must
 * stand alone; a minifier renames the variables it reads from its closure (`_scriptDir` became `e`) and
 * drops their `typeof` guards, and every pthread worker died with "e is not defined" while the page waited
 * for the wasm backend forever. Here the factory is made at run time from the shipped text, untouched.
 * (The dev server pre-bundles dependencies without minifying, so it never met the problem.)
 */
import type { Plugin } from 'vite';

const THREADED_FACTORY = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

export function tfjsWasmThreadedFactory(): Plugin {
  return {
    name: 'nextstate:tfjs-wasm-threaded-factory',
    apply: 'build',
    transform(code, id) {
      if (!THREADED_FACTORY.test(id.split('?')[0])) return null;
      if (!code.includes('var WasmBackendModuleThreadedSimd')) {
        this.error(`${id} no longer defines WasmBackendModuleThreadedSimd: check this plugin against the tfjs version`);
      }
      const body = `${code}\nreturn WasmBackendModuleThreadedSimd;`;
      return { code: `export default new Function(${JSON.stringify(body)})();\n`, map: null };
    },
  };
}
