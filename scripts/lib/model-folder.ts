import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ModelFiles } from '../../src/model/hf/files.ts';

/** A model folder on disk as ModelFiles (Node's side of the loader's file provider). */
export function folderFiles(dir: string): ModelFiles {
  const root = resolve(dir);
  return {
    source: root,
    async read(name) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`not a file of the folder: ${name}`);
      try {
        return new Uint8Array(await readFile(join(root, name)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}
