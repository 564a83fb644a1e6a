import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { createRng } from '../../model/rng.ts';
import { fetchCheckpoint, ModelLoadError, type LoadProgress } from './fetch-checkpoint.ts';

function bytesOf(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
}

function manifestFor(bytes: Uint8Array) {
  return { format: 'nextstate-checkpoint', formatVersion: 1, preset: 'tiny', config: { vocabSize: 5 }, tokenizer: { kind: 'char' }, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** A server for `/m.json` and `/m.safetensors` whose body arrives in chunks. */
function server(files: Record<string, { body: Uint8Array | string; type?: string; status?: number; length?: boolean }>) {
  return async (url: string) => {
    const f = files[url];
    if (!f) return new Response('<!doctype html><p>app</p>', { status: 200, headers: { 'content-type': 'text/html' } });
    const body = typeof f.body === 'string' ? new TextEncoder().encode(f.body) : f.body;
    const chunks = Math.max(1, Math.ceil(body.length / 1000));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks; i++) controller.enqueue(body.slice(i * 1000, (i + 1) * 1000));
        controller.close();
      },
    });
    const headers: Record<string, string> = { 'content-type': f.type ?? 'application/octet-stream' };
    if (f.length !== false) headers['content-length'] = String(body.length);
    return new Response(stream, { status: f.status ?? 200, headers });
  };
}

describe('fetchCheckpoint', () => {
  it('streams the weights with rising progress to 1 and returns them with the manifest', async () => {
    const bytes = bytesOf(4321, 1);
    const manifest = manifestFor(bytes);
    for (const length of [true, false]) {
      const seen: LoadProgress[] = [];
      const blob = await fetchCheckpoint('/m', (p) => seen.push(p), server({
        '/m.json': { body: JSON.stringify(manifest), type: 'application/json' },
        '/m.safetensors': { body: bytes, length },
      }));
      expect(blob.bytes).toEqual(bytes);
      expect(blob.manifest).toEqual(manifest);
      const fractions = seen.map((p) => p.fraction ?? 0);
      expect(fractions.length).toBeGreaterThan(5);
      for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
      expect(fractions.at(-1)).toBe(1);
      expect(seen.at(-1)!.totalBytes).toBe(bytes.length);
    }
  });

  const bytes = bytesOf(2000, 2);
  const good = { '/m.json': { body: JSON.stringify(manifestFor(bytes)), type: 'application/json' }, '/m.safetensors': { body: bytes } };
  const cases: [string, Parameters<typeof server>[0], RegExp][] = [
    ['a missing manifest (404)', { ...good, '/m.json': { body: 'no', status: 404 } }, /The model manifest is missing: \/m\.json answered HTTP 404/],
    ['a missing manifest (the app page instead)', { '/m.safetensors': good['/m.safetensors'] }, /manifest is missing: \/m\.json answered with an HTML page/],
    ['a manifest that is not JSON', { ...good, '/m.json': { body: '{oops', type: 'application/json' } }, /is not valid JSON/],
    ['a foreign manifest', { ...good, '/m.json': { body: JSON.stringify({ format: 'gguf' }), type: 'application/json' } }, /its format is "gguf"/],
    ['missing weights', { '/m.json': good['/m.json'] }, /The model weights file is missing/],
    ['truncated weights', { ...good, '/m.safetensors': { body: bytes.slice(0, 1500) } }, /are 1500 bytes; the manifest says 2000/],
    ['corrupt weights', { ...good, '/m.safetensors': { body: Uint8Array.from(bytes, (b, i) => (i === 700 ? b ^ 1 : b)) } }, /are corrupt: their sha256/],
  ];
  for (const [what, files, message] of cases) {
    it(`refuses ${what} with a message saying so`, async () => {
      const error = await fetchCheckpoint('/m', () => {}, server(files)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
