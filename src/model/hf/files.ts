import { HfModelError } from './errors.ts';

/**
 * A model folder as its files, name → bytes: the page reads them from the Hub, a static server, Cache Storage or
 * a folder picked from disk, Node from the file system, and the loader is the same for all.
 */
export interface ModelFiles {
  /** Where the files come from, for messages (a folder path, a repo id, a URL). */
  readonly source: string;
  /** The file's bytes, or undefined when the folder has no such file. */
  read(name: string): Promise<Uint8Array | undefined>;
}

export async function requireFile(files: ModelFiles, name: string): Promise<Uint8Array> {
  const bytes = await files.read(name);
  if (!bytes) throw new HfModelError('missing-file', `${files.source} has no ${name}`);
  return bytes;
}

/** The parsed JSON of a file (undefined when absent and optional). */
export async function readJson(files: ModelFiles, name: string, required: true): Promise<Record<string, unknown>>;
export async function readJson(files: ModelFiles, name: string, required: false): Promise<Record<string, unknown> | undefined>;
export async function readJson(files: ModelFiles, name: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  const bytes = required ? await requireFile(files, name) : await files.read(name);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new HfModelError('config', `${name} is not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new HfModelError('config', `${name} is not a JSON object`);
  return json as Record<string, unknown>;
}

/** The same folder with every read remembered: a file that two steps need is read once. */
export function memoFiles(files: ModelFiles): ModelFiles {
  const seen = new Map<string, Promise<Uint8Array | undefined>>();
  return {
    source: files.source,
    read(name) {
      if (!seen.has(name)) seen.set(name, files.read(name));
      return seen.get(name)!;
    },
  };
}
