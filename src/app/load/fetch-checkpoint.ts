/**
 * Fetches the policy checkpoint the page starts from (issue 2 "The first page"): the JSON manifest, then the
 * safetensors bytes streamed with progress, checked against the manifest's size and sha256 before any
 * worker sees them. Every failure becomes a `ModelLoadError` whose message tells the visitor what is wrong.
 */
import type { CheckpointManifest } from '../../model/checkpoint.ts';
import type { CheckpointBlob } from '../../workers/protocol.ts';

export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

export interface LoadProgress {
  /** 0..1, or null while the total size is unknown. */
  fraction: number | null;
  loadedBytes: number;
  totalBytes: number | null;
  stage: string;
}

export type FetchLike = (url: string) => Promise<Response>;

async function get(url: string, what: string, fetchFn: FetchLike): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url);
  } catch (e) {
    throw new ModelLoadError(`The ${what} could not be fetched from ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new ModelLoadError(`The ${what} is missing: ${url} answered HTTP ${response.status}.`);
  // A dev server answers unknown paths with the app's index.html.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new ModelLoadError(`The ${what} is missing: ${url} answered with an HTML page, not the file.`);
  }
  return response;
}

function checkManifest(json: unknown, url: string): CheckpointManifest {
  const m = json as Partial<CheckpointManifest> | null;
  const wrong = (why: string) => new ModelLoadError(`The model manifest ${url} is not usable: ${why}.`);
  if (!m || typeof m !== 'object') throw wrong('it is not a JSON object');
  if (m.format !== 'nextstate-checkpoint') throw wrong(`its format is ${JSON.stringify(m.format)}, not "nextstate-checkpoint"`);
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) throw wrong('it has no sha256');
  if (typeof m.bytes !== 'number' || m.bytes <= 0) throw wrong('it does not say how many bytes the weights have');
  if (!m.config || !m.tokenizer) throw wrong('it has no model config or tokenizer');
  return m as CheckpointManifest;
}

/** The response body read chunk by chunk, reporting bytes as they arrive. */
async function readWithProgress(response: Response, report: (loaded: number) => void): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `fetchCheckpoint(base, onProgress)`: `${base}.json` and `${base}.safetensors` as a `CheckpointBlob`.
 * The total for the progress bar is the Content-Length header, else the manifest's `bytes`.
 */
export async function fetchCheckpoint(
  base: string,
  onProgress: (p: LoadProgress) => void = () => {},
  fetchFn: FetchLike = (url) => fetch(url),
): Promise<CheckpointBlob> {
  const manifestUrl = `${base}.json`;
  const weightsUrl = `${base}.safetensors`;
  onProgress({ fraction: 0, loadedBytes: 0, totalBytes: null, stage: 'Fetching the model manifest' });
  const manifestResponse = await get(manifestUrl, 'model manifest', fetchFn);
  let json: unknown;
  try {
    json = await manifestResponse.json();
  } catch {
    throw new ModelLoadError(`The model manifest ${manifestUrl} is not valid JSON.`);
  }
  const manifest = checkManifest(json, manifestUrl);
  const response = await get(weightsUrl, 'model weights file', fetchFn);
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : manifest.bytes;
  const stage = 'Downloading the model weights';
  onProgress({ fraction: 0, loadedBytes: 0, totalBytes: total, stage });
  const bytes = await readWithProgress(response, (loaded) =>
    onProgress({ fraction: Math.min(1, loaded / total), loadedBytes: loaded, totalBytes: total, stage }),
  );
  if (bytes.length !== manifest.bytes) {
    throw new ModelLoadError(`The model weights ${weightsUrl} are ${bytes.length} bytes; the manifest says ${manifest.bytes}. The file is truncated or does not belong to this manifest.`);
  }
  onProgress({ fraction: 1, loadedBytes: bytes.length, totalBytes: total, stage: 'Checking the weights (sha256)' });
  const digest = await sha256Hex(bytes);
  if (digest !== manifest.sha256) {
    throw new ModelLoadError(`The model weights ${weightsUrl} are corrupt: their sha256 ${digest.slice(0, 12)}… differs from the manifest's ${manifest.sha256.slice(0, 12)}….`);
  }
  return { bytes, manifest };
}
