/**
 * Downloading an HF model folder through the cache, from a real HTTP server on 127.0.0.1 that can cut a file off
 * midway, state a sha256 (as the Hub's X-Linked-Etag) and honour Range requests.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { cachedFiles, forgetModel, type FileProgress, type FileStore } from '../../src/app/load/model-cache.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { HfModelError } from '../../src/model/hf/errors.ts';

function memoryStore(): FileStore & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    get: async (k) => map.get(k),
    put: async (k, b) => void map.set(k, b),
    delete: async (k) => void map.delete(k),
    keys: async () => [...map.keys()],
  };
}

let root: string;
let model: TinyCheckpoint;
let server: Server;
let base: string;
const requests: { file: string; range?: string }[] = [];
/** Files whose next response is cut off after half its bytes, or carries a wrong sha256. */
const cutNext = new Set<string>();
const wrongShaNext = new Set<string>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'nextstate-cache-'));
  model = writeTinyHfCheckpoint(join(root, 'm'), { family: 'llama', dtype: 'bf16', shards: 2, seed: 4 });
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x').pathname;
    const name = decodeURIComponent(url.split('/').pop()!);
    const range = req.headers.range;
    requests.push({ file: name, range });
    if (!url.startsWith('/models/m/')) return void res.writeHead(404).end();
    const path = join(model.dir, name);
    if (!existsSync(path)) return void res.writeHead(404).end();
    const bytes = readFileSync(path);
    const sha = wrongShaNext.delete(name) ? '0'.repeat(64) : createHash('sha256').update(bytes).digest('hex');
    const headers = { 'content-type': 'application/octet-stream', 'x-linked-etag': `"${sha}"` };
    const from = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const body = bytes.subarray(from);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(body.length) });
    if (cutNext.delete(name)) {
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/models/m`;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('model cache', () => {
  it('downloads with per-file progress, caches only complete checked files, resumes a cut-off file, then loads offline', async () => {
    const store = memoryStore();
    const seen: FileProgress[] = [];
    const shard = 'model-00002-of-00002.safetensors';
    cutNext.add(shard);
    const first = await loadHfModel(cachedFiles(base, store, (p) => seen.push(p))).catch((e) => e);
    expect(first).toBeInstanceOf(HfModelError);
    expect(first.message).toMatch(/broke off.*nothing was cached/);
    expect(store.map.has(`${base}/${shard}`)).toBe(false); // the partial file did not poison the cache
    expect(store.map.has(`${base}/config.json`)).toBe(true);
    // per-file progress, growing to the file's size
    const shardProgress = seen.filter((p) => p.file === 'model-00001-of-00002.safetensors');
    expect(shardProgress.at(-1)).toMatchObject({ state: 'done', loadedBytes: shardProgress.at(-1)!.totalBytes });

    // a retry in the same session asks for the missing bytes only (Range), and the whole file is checked
    requests.length = 0;
    const resumable = cachedFiles(base, store);
    cutNext.add(shard);
    await expect(resumable.read(shard)).rejects.toThrow(/broke off/);
    expect(store.map.has(`${base}/${shard}`)).toBe(false);
    const bytes = await resumable.read(shard);
    expect(requests.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=[1-9]\d*-$/)]);
    expect(Buffer.from(bytes!).equals(readFileSync(join(model.dir, shard)))).toBe(true);

    // everything cached: a second visit makes no request at all
    requests.length = 0;
    const again = await loadHfModel(cachedFiles(base, store));
    expect(requests).toEqual([]);
    expect(again.config.nLayers).toBe(2);

    // Forget this model frees every file of the folder
    expect(await forgetModel(base, store)).toBeGreaterThanOrEqual(6);
    expect(store.map.size).toBe(0);
  });

  it('a file whose sha256 differs from the stated one is refused and not cached; a missing folder is named', async () => {
    const store = memoryStore();
    wrongShaNext.add('model-00001-of-00002.safetensors');
    const e = await loadHfModel(cachedFiles(base, store)).catch((err) => err);
    expect(e).toBeInstanceOf(HfModelError);
    expect(e.message).toMatch(/sha256 differs/);
    expect(store.map.has(`${base}/model-00001-of-00002.safetensors`)).toBe(false);
    const missing = await loadHfModel(cachedFiles(`${base}-gone`, memoryStore())).catch((err) => err);
    expect(missing.message).toMatch(/has no config\.json/);
  });
});
