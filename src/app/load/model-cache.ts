/**
 * Downloading a Hugging Face model folder into a cache so a second visit starts offline. A file is stored only
 * once it is complete and checked: its size against Content-Length, and its sha256 where the server states one
 * (the Hub's `X-Linked-Etag` for LFS files, or an ETag that is a sha256). A failed or cut-off download stores
 * nothing, so it never poisons the cache; a retry asks for the missing bytes only (HTTP Range) when the server
 * allows it. "Forget this model" deletes every file of its folder.
 */
import { HfModelError } from '../../model/hf/errors.ts';
import type { ModelFiles } from '../../model/hf/files.ts';

/** Where complete files are kept: Cache Storage in the page (cacheStorageStore), a Map in tests. */
export interface FileStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface FileProgress {
  file: string;
  loadedBytes: number;
  /** From Content-Length; null while unknown. */
  totalBytes: number | null;
  /** 'cached': served from the store with no request. */
  state: 'downloading' | 'done' | 'cached';
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The sha256 a response states for its file, if any. */
function statedSha256(response: Response): string | undefined {
  for (const header of ['x-linked-etag', 'etag']) {
    const value = (response.headers.get(header) ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (/^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * The folder at `base` as ModelFiles that read through the store: a cached file makes no request; a missing one
 * is downloaded with progress, checked, then stored. Bytes of a download that broke off are kept in memory only,
 * for a Range retry in this session.
 */
export function cachedFiles(base: string, store: FileStore, onProgress: (p: FileProgress) => void = () => {}, fetchFn: FetchLike = (u, i) => fetch(u, i)): ModelFiles {
  const root = base.replace(/\/+$/, '');
  const partial = new Map<string, Uint8Array>();
  return {
    source: root,
    async read(name) {
      const key = `${root}/${name}`;
      const cached = await store.get(key);
      if (cached) {
        onProgress({ file: name, loadedBytes: cached.length, totalBytes: cached.length, state: 'cached' });
        return cached;
      }
      const have = partial.get(key);
      let response: Response;
      try {
        response = await fetchFn(key, have ? { headers: { range: `bytes=${have.length}-` } } : undefined);
      } catch (e) {
        throw new HfModelError('missing-file', `${key} could not be fetched (${(e as Error).message})`);
      }
      if (response.status === 404 || answersWithPage(response)) return undefined;
      if (!response.ok) throw new HfModelError('missing-file', `${key}: HTTP ${response.status}`);
      const resumed = have && response.status === 206 ? have : new Uint8Array(0);
      const length = Number(response.headers.get('content-length'));
      const total = Number.isFinite(length) && response.headers.has('content-length') ? resumed.length + length : null;
      const chunks: Uint8Array[] = [resumed];
      let loaded = resumed.length;
      onProgress({ file: name, loadedBytes: loaded, totalBytes: total, state: 'downloading' });
      try {
        const reader = response.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          loaded += value.length;
          onProgress({ file: name, loadedBytes: loaded, totalBytes: total, state: 'downloading' });
        }
      } catch (e) {
        partial.set(key, concat(chunks, loaded));
        throw new HfModelError('missing-file', `${key}: the download broke off after ${loaded} of ${total ?? '?'} bytes (${(e as Error).message}); nothing was cached, try again`);
      }
      const bytes = concat(chunks, loaded);
      if (total !== null && bytes.length !== total) {
        partial.set(key, bytes);
        throw new HfModelError('missing-file', `${key}: got ${bytes.length} of ${total} bytes; nothing was cached, try again`);
      }
      partial.delete(key);
      const sha = statedSha256(response);
      if (sha && (await sha256Hex(bytes)) !== sha) {
        throw new HfModelError('header', `${key}: its sha256 differs from the one the server states; nothing was cached`);
      }
      await store.put(key, bytes);
      onProgress({ file: name, loadedBytes: bytes.length, totalBytes: bytes.length, state: 'done' });
      return bytes;
    },
  };
}

/** A dev server (or a single-page host) answers a missing file with its index.html: the folder has no such file. */
export function answersWithPage(response: Response): boolean {
  return response.ok && (response.headers.get('content-type') ?? '').includes('text/html');
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** "Forget this model": every stored file of the folder at `base`. Returns how many were deleted. */
export async function forgetModel(base: string, store: FileStore): Promise<number> {
  const prefix = `${base.replace(/\/+$/, '')}/`;
  const keys = (await store.keys()).filter((k) => k.startsWith(prefix));
  await Promise.all(keys.map((k) => store.delete(k)));
  return keys.length;
}

/** The page's store: Cache Storage (`caches`), one cache for every model file. */
export function cacheStorageStore(name = 'nextstate-models'): FileStore {
  const open = () => caches.open(name);
  return {
    async get(key) {
      const hit = await (await open()).match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await (await open()).put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.length) } }));
    },
    async delete(key) {
      await (await open()).delete(key);
    },
    async keys() {
      return (await (await open()).keys()).map((r) => r.url);
    },
  };
}
