import { HfModelError } from '../model/hf/errors.ts';
import type { ModelFiles } from '../model/hf/files.ts';

/** `owner/name` as the Hub spells repo ids. */
const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

/**
 * A model folder on any static server (a workshop's `public/models/<name>/`), as ModelFiles: `<base>/<file>`;
 * 404 means the folder has no such file, any other failure is an error that names the file.
 */
export function urlFiles(base: string, fetchFn: typeof fetch = fetch): ModelFiles {
  const root = base.replace(/\/+$/, '');
  return {
    source: root,
    async read(name) {
      let response: Response;
      try {
        response = await fetchFn(`${root}/${encodeURIComponent(name)}`);
      } catch (e) {
        throw new HfModelError('missing-file', `${root}/${name} could not be fetched (${(e as Error).message})`);
      }
      if (response.status === 404) return undefined;
      if (response.status === 401 || response.status === 403) throw new HfModelError('missing-file', `${root}/${name}: access denied (${response.status}; a gated repo needs the owner's approval)`);
      if (!response.ok) throw new HfModelError('missing-file', `${root}/${name}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** A Hugging Face Hub repo's files at a revision, through the Hub's `resolve/` URLs (CORS-enabled). */
export function hubFiles(repo: string, revision = 'main', fetchFn: typeof fetch = fetch): ModelFiles {
  if (!REPO_ID.test(repo)) throw new HfModelError('config', `"${repo}" is not a Hugging Face repo id (owner/name)`);
  return urlFiles(`https://huggingface.co/${repo}/resolve/${encodeURIComponent(revision)}`, fetchFn);
}

/** Files already in memory (a folder the visitor picked from disk). */
export function memoryFiles(name: string, files: Record<string, Uint8Array>): ModelFiles {
  return { source: name, read: async (file) => (Object.prototype.hasOwnProperty.call(files, file) ? files[file] : undefined) };
}
