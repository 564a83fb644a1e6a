/**
 * A Hugging Face model folder from the Hub or a static server, in three steps the page shows: `probe` reads the
 * small files (config, tokenizer) and asks the size of each weight file, so the memory plan and the storage quota
 * are checked before any weight is downloaded; `download` fetches the weights with progress into the model cache
 * (model-cache.ts: complete, checked files only; a safetensors file also needs a readable header); `forget`
 * deletes the folder's files. A folder downloaded whole is listed in the cache, so the next visit reads every
 * file from it and makes no request.
 */
import { HfModelError } from '../../model/hf/errors.ts';
import { memoFiles, type ModelFiles } from '../../model/hf/files.ts';
import type { Family } from '../../model/hf/hf-config.ts';
import type { HfChatTokenizer } from '../../model/hf/hf-tokenizer.ts';
import { readHfModelInfo } from '../../model/hf/load.ts';
import { planMemory, type DeviceLimits, type MemoryPlan } from '../../model/hf/memory-plan.ts';
import { readSafetensorsHeader } from '../../model/hf/safetensors-file.ts';
import { weightFileNames } from '../../model/hf/weights-file.ts';
import type { ModelConfig } from '../../model/presets.ts';
import { answersWithPage, cachedFiles, forgetModel, type FetchLike, type FileProgress, type FileStore } from './model-cache.ts';

/** The small files a folder may hold besides its weights (absent optional ones are remembered as absent). */
const METADATA_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors.index.json'];
/** The cache entry that lists a folder downloaded whole: which files it has. */
const LISTING = '.nextstate-folder.json';

export interface FolderFile {
  name: string;
  /** Null while the server does not say. */
  bytes: number | null;
  cached: boolean;
  /** Read already: cached, or a small file the probe fetched (its bytes wait in memory for the go-ahead). */
  here: boolean;
}

export interface ModelProbe {
  source: string;
  family: Family;
  config: ModelConfig;
  tokenizer: HfChatTokenizer;
  files: FolderFile[];
  /** Bytes still to download (files not cached). */
  downloadBytes: number;
  plan: MemoryPlan;
  /** From navigator.storage.estimate(), when the browser tells. */
  storage: { quota: number; usage: number } | null;
}

/** The wasm heap's limit: every tensor of a model served on wasm (no GPU, or only a software one) must fit in it. */
const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * What this device allows: free storage from `navigator.storage.estimate`, the GPU adapter's largest buffer, and
 * the wasm heap when the model will run on wasm (no WebGPU adapter, or only a software fallback).
 */
export async function deviceLimits(): Promise<{ limits: DeviceLimits; storage: ModelProbe['storage'] }> {
  const limits: DeviceLimits = { memoryBudget: WASM_HEAP_BYTES };
  let storage: ModelProbe['storage'] = null;
  try {
    const estimate = await navigator.storage?.estimate?.();
    if (estimate && typeof estimate.quota === 'number') {
      storage = { quota: estimate.quota, usage: estimate.usage ?? 0 };
      limits.storageAvailable = Math.max(0, storage.quota - storage.usage);
    }
  } catch {
    // No estimate: the quota is not checked before the download (a full store still fails it, caching nothing).
  }
  try {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const adapter = await gpu?.requestAdapter();
    if (adapter) limits.maxBufferSize = adapter.limits.maxBufferSize;
    if (adapter && !(adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter) delete limits.memoryBudget;
  } catch {
    // No WebGPU: the graph runs on wasm, within the memory budget.
  }
  return { limits, storage };
}

/** Files put into the cache only when the download is confirmed (the small files the probe read). */
function stagedStore(real: FileStore): FileStore & { commit(): Promise<void> } {
  const staged = new Map<string, Uint8Array>();
  return {
    async get(key) {
      return staged.get(key) ?? real.get(key);
    },
    async put(key, bytes) {
      staged.set(key, bytes);
    },
    async delete(key) {
      staged.delete(key);
    },
    async keys() {
      return [...new Set([...staged.keys(), ...(await real.keys())])];
    },
    async commit() {
      for (const [key, bytes] of staged) await real.put(key, bytes);
      staged.clear();
    },
  };
}

/** A safetensors file is stored only when its header reads (a corrupt one is refused, never cached). */
function checkedStore(real: FileStore): FileStore {
  return {
    ...real,
    async put(key, bytes) {
      if (key.endsWith('.safetensors')) readSafetensorsHeader(bytes, key.slice(key.lastIndexOf('/') + 1));
      await real.put(key, bytes);
    },
  };
}

export class HfFolderDownload {
  readonly base: string;
  private readonly staged: ReturnType<typeof stagedStore>;
  private readonly metadata: ModelFiles;
  /** One downloader for the page's life: bytes of a file that broke off are kept for a Range retry. */
  private readonly weights: ModelFiles;
  private onProgress: (p: FileProgress) => void = () => {};
  private absent = new Set<string>();
  private weightNames: string[] = [];

  constructor(base: string, private readonly store: FileStore, private readonly fetchFn: FetchLike = (u, i) => fetch(u, i)) {
    this.base = base.replace(/\/+$/, '');
    this.staged = stagedStore(store);
    const listed = this.absent;
    const meta = cachedFiles(this.base, this.staged, () => {}, fetchFn);
    this.metadata = memoFiles({ source: this.base, read: async (name) => (listed.has(name) ? undefined : meta.read(name)) });
    this.weights = cachedFiles(this.base, checkedStore(store), (p) => this.onProgress(p), fetchFn);
  }

  /** Config, tokenizer and the weight files' sizes, and the memory plan against `limits`; downloads no weight. */
  async probe(limits: DeviceLimits, storage: ModelProbe['storage']): Promise<ModelProbe> {
    const listing = await this.store.get(`${this.base}/${LISTING}`);
    if (listing) {
      const names = JSON.parse(new TextDecoder().decode(listing)) as { present: string[] };
      for (const name of METADATA_FILES) if (!names.present.includes(name)) this.absent.add(name);
    }
    const info = await readHfModelInfo(this.metadata);
    this.weightNames = await weightFileNames(this.metadata);
    const files: FolderFile[] = [];
    for (const name of METADATA_FILES) {
      const bytes = await this.metadata.read(name);
      if (bytes) files.push({ name, bytes: bytes.length, cached: (await this.store.get(`${this.base}/${name}`)) !== undefined, here: true });
    }
    for (const name of this.weightNames) files.push(await this.weightSize(name));
    const downloadBytes = files.filter((f) => !f.cached).reduce((sum, f) => sum + (f.bytes ?? 0), 0);
    return { source: this.base, family: info.family, config: info.config, tokenizer: info.tokenizer, files, downloadBytes, plan: planMemory(info.config, downloadBytes, limits), storage };
  }

  /** Every file of the folder, weights downloaded (with progress) and checked into the cache. */
  async download(onProgress: (p: FileProgress) => void): Promise<Record<string, Uint8Array>> {
    this.onProgress = onProgress;
    const out: Record<string, Uint8Array> = {};
    for (const name of this.weightNames) {
      const bytes = await this.weights.read(name);
      if (!bytes) throw new HfModelError('missing-file', `${this.base} has no ${name}`);
      out[name] = bytes;
    }
    const present = [...this.weightNames];
    for (const name of METADATA_FILES) {
      const bytes = await this.metadata.read(name);
      if (bytes) {
        out[name] = bytes;
        present.push(name);
      }
    }
    await this.staged.commit();
    await this.store.put(`${this.base}/${LISTING}`, new TextEncoder().encode(JSON.stringify({ present })));
    return out;
  }

  /** "Forget this model": every cached file of the folder. */
  forget(): Promise<number> {
    return forgetModel(this.base, this.store);
  }

  private async weightSize(name: string): Promise<FolderFile> {
    const cached = await this.store.get(`${this.base}/${name}`);
    if (cached) return { name, bytes: cached.length, cached: true, here: true };
    const url = `${this.base}/${name}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, { method: 'HEAD' });
    } catch (e) {
      throw new HfModelError('missing-file', `${url} could not be reached (${(e as Error).message})`);
    }
    if (response.status === 404 || answersWithPage(response)) throw new HfModelError('missing-file', `${this.base} has no ${name}`);
    if (!response.ok) throw new HfModelError('missing-file', `${url}: HTTP ${response.status}`);
    // The Hub states an LFS file's size in X-Linked-Size (its Content-Length may be a redirect's).
    const size = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? NaN);
    return { name, bytes: Number.isFinite(size) ? size : null, cached: false, here: false };
  }
}

/** A folder picked from disk (already in memory): the same checks and plan, with nothing to download or store. */
export async function probeLocalFolder(name: string, files: Record<string, Uint8Array>, limits: DeviceLimits): Promise<ModelProbe> {
  const folder: ModelFiles = memoFiles({ source: name, read: async (f) => (Object.prototype.hasOwnProperty.call(files, f) ? files[f] : undefined) });
  const info = await readHfModelInfo(folder);
  const weights = await weightFileNames(folder);
  const listed: FolderFile[] = [];
  for (const file of [...METADATA_FILES, ...weights]) {
    const bytes = await folder.read(file);
    if (bytes) listed.push({ name: file, bytes: bytes.length, cached: true, here: true });
    else if (weights.includes(file)) throw new HfModelError('missing-file', `${name} has no ${file}`);
  }
  for (const file of weights) readSafetensorsHeader(files[file], file);
  const { storageAvailable: _s, ...deviceOnly } = limits;
  return { source: name, family: info.family, config: info.config, tokenizer: info.tokenizer, files: listed, downloadBytes: 0, plan: planMemory(info.config, 0, deviceOnly), storage: null };
}
