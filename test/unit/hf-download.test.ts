/**
 * The page's Hugging Face download in its three steps (src/app/load/hf-download.ts), against a real HTTP server on
 * 127.0.0.1 that answers unknown paths with an HTML page (as a dev server does): the probe fetches no weight and
 * stores nothing, the plan refuses what exceeds the quota, the download stores checked files and a listing, and a
 * second visit makes no request at all. Also the model choice's URL round trip.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyHfCheckpoint, type TinyCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import type { FileStore } from '../../src/app/load/model-cache.ts';
import { HfFolderDownload, probeLocalFolder } from '../../src/app/load/hf-download.ts';
import { folderBase, modelChoiceFromQuery, pageQueryWithModel, parseModelChoice } from '../../src/app/load/model-choice.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { HfModelError } from '../../src/model/hf/errors.ts';

function memoryStore(): FileStore & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return { map, get: async (k) => map.get(k), put: async (k, b) => void map.set(k, b), delete: async (k) => void map.delete(k), keys: async () => [...map.keys()] };
}

let root: string;
let model: TinyCheckpoint;
let server: Server;
let base: string;
let requests: { method: string; file: string }[] = [];
/** Files served with their safetensors header length overwritten (a corrupt header). */
const corrupt = new Set<string>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'nextstate-hfdl-'));
  model = writeTinyHfCheckpoint(join(root, 'm'), { family: 'qwen3', dtype: 'f16', shards: 2, seed: 7 });
  rmSync(join(model.dir, 'generation_config.json'));
  server = createServer((req, res) => {
    const pathname = new URL(req.url!, 'http://x').pathname;
    const name = decodeURIComponent(pathname.split('/').pop()!);
    requests.push({ method: req.method!, file: name });
    const path = join(model.dir, name);
    if (!pathname.startsWith('/models/m/') || !existsSync(path)) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>app</p>');
    const bytes = Buffer.from(readFileSync(path));
    if (corrupt.has(name)) bytes.writeUInt32LE(0xfffffff0, 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}/models/m/`;
});

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  corrupt.clear();
});

const size = (file: string) => readFileSync(join(model.dir, file)).length;
const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];

describe('HfFolderDownload', () => {
  it('probes sizes without downloading a weight or storing anything; the quota refuses a model that does not fit', async () => {
    const store = memoryStore();
    const probe = await new HfFolderDownload(base, store).probe({}, null);
    expect(probe.family).toBe('qwen3');
    expect(probe.files.map((f) => f.name).sort()).toEqual(['config.json', 'model.safetensors.index.json', ...SHARDS, 'tokenizer.json', 'tokenizer_config.json'].sort());
    const expected = probe.files.reduce((s, f) => s + size(f.name), 0);
    expect(probe.downloadBytes).toBe(expected);
    expect(requests.filter((r) => r.file.endsWith('.safetensors')).map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    expect(store.map.size).toBe(0);
    expect(probe.plan.refusals).toEqual([]);

    const tight = await new HfFolderDownload(base, memoryStore()).probe({ storageAvailable: expected - 1 }, { quota: expected, usage: 1 });
    expect(tight.plan.refusals).toEqual([expect.stringMatching(/^the files need \d+ MB of storage; this site may use \d+ MB more$/)]);
  });

  it('downloads checked files into the store; a second visit makes no request and loads the same weights', async () => {
    const store = memoryStore();
    const first = new HfFolderDownload(base, store);
    await first.probe({}, null);
    const seen: string[] = [];
    const files = await first.download((p) => p.state === 'done' && seen.push(p.file));
    expect(seen.sort()).toEqual(SHARDS);
    const root_ = base.replace(/\/$/, '');
    expect([...store.map.keys()].sort()).toEqual(
      [...SHARDS, 'config.json', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json', '.nextstate-folder.json'].map((f) => `${root_}/${f}`).sort(),
    );
    for (const [name, bytes] of Object.entries(files)) expect(Buffer.from(bytes).equals(readFileSync(join(model.dir, name)))).toBe(true);

    requests = [];
    const second = new HfFolderDownload(base, store);
    const probe = await second.probe({}, null);
    expect(probe.files.every((f) => f.cached)).toBe(true);
    expect(probe.downloadBytes).toBe(0);
    const again = await second.download(() => {});
    expect(requests).toEqual([]);
    const loaded = await loadHfModel({ source: 'x', read: async (n) => again[n] });
    const direct = await loadHfModel({ source: 'y', read: async (n) => files[n] });
    expect(Object.keys(loaded.weights).sort()).toEqual(Object.keys(direct.weights).sort());
    for (const k of Object.keys(direct.weights)) expect(loaded.weights[k]).toEqual(direct.weights[k]);

    expect(await second.forget()).toBe(7);
    expect(store.map.size).toBe(0);
  });

  it('a corrupt safetensors header is refused and never stored', async () => {
    const store = memoryStore();
    corrupt.add(SHARDS[1]);
    const download = new HfFolderDownload(base, store);
    await download.probe({}, null);
    const error = await download.download(() => {}).catch((e) => e);
    expect(error).toBeInstanceOf(HfModelError);
    expect(error.message).toMatch(/model-00002-of-00002\.safetensors: header length \d+ does not fit/);
    expect([...store.map.keys()].filter((k) => k.endsWith(SHARDS[1]))).toEqual([]);
    expect([...store.map.keys()].filter((k) => k.endsWith('.nextstate-folder.json'))).toEqual([]);
  });

  it('a missing weight file is refused by the probe', async () => {
    const store = memoryStore();
    const other = base.replace('/models/m/', '/models/none/');
    // Every file of that folder answers with the HTML page: no config.json.
    await expect(new HfFolderDownload(other, store).probe({}, null)).rejects.toThrow(/has no config\.json/);
    const files: Record<string, Uint8Array> = {};
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json', SHARDS[0]]) files[f] = readFileSync(join(model.dir, f));
    await expect(probeLocalFolder('picked', files, {})).rejects.toThrow(`picked has no ${SHARDS[1]}`);
    files[SHARDS[1]] = readFileSync(join(model.dir, SHARDS[1]));
    const local = await probeLocalFolder('picked', files, { storageAvailable: 0, memoryBudget: 1000 });
    expect(local.downloadBytes).toBe(0);
    expect(local.plan.refusals).toEqual([expect.stringMatching(/^it needs \d+ MB .* the budget is 0 MB$/)]);
  });
});

describe('model choice in the URL', () => {
  it('round-trips a repo, a folder URL and a site path; the built-in model has no parameter', () => {
    for (const text of ['HuggingFaceTB/SmolLM2-135M-Instruct', 'https://example.org/models/a', '/models/tiny-qwen']) {
      const choice = parseModelChoice(text);
      const query = pageQueryWithModel('?k=4', choice);
      expect(query).toContain('k=4');
      expect(modelChoiceFromQuery(query)).toEqual(choice);
    }
    expect(parseModelChoice('/models/x/')).toEqual({ kind: 'url', url: '/models/x' });
    expect(pageQueryWithModel('?hf=a%2Fb&k=4', { kind: 'builtin' })).toBe('?k=4');
    expect(modelChoiceFromQuery('?k=4')).toEqual({ kind: 'builtin' });
    expect(folderBase({ kind: 'hub', repo: 'Qwen/Qwen3-0.6B' }, 'http://x/')).toBe('https://huggingface.co/Qwen/Qwen3-0.6B/resolve/main');
    expect(folderBase({ kind: 'url', url: '/models/x' }, 'http://site:1/?a=1')).toBe('http://site:1/models/x');
  });

  it('refuses what is neither a repo id nor an http(s) folder, and URLs with credentials or a query', () => {
    expect(() => parseModelChoice('javascript:alert(1)')).toThrow(/must be http\(s\)/);
    expect(() => parseModelChoice('not a model')).toThrow(/neither a Hugging Face repo id/);
    expect(() => parseModelChoice('https://user:pw@host/m')).toThrow(/credentials/);
    expect(() => parseModelChoice('https://host/m?token=x')).toThrow(/credentials or a query/);
    expect(() => parseModelChoice('//evil.example/m')).toThrow();
  });
});
