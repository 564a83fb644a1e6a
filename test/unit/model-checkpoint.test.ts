import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { Policy } from '../../src/model/policy.ts';
import { Adam } from '../../src/model/adam.ts';
import { encodeCheckpoint, decodeCheckpoint, loadPolicy, CheckpointError, type CheckpointInfo } from '../../src/model/checkpoint.ts';
import { encodeSafetensors, decodeSafetensors } from '../../src/model/safetensors.ts';
import { MINI, useWasm } from './model-helpers.ts';

beforeAll(useWasm);

const info: CheckpointInfo = {
  preset: 'mini',
  config: MINI,
  tokenizer: { kind: 'test' },
  corpusVersion: 'test-1',
  tokensSeen: 1234,
  finalLoss: 1.5,
};

async function rejects(promise: Promise<unknown>, code: string): Promise<CheckpointError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).code).toBe(code);
  return error as CheckpointError;
}

/** Rewrite a safetensors file's JSON header (keeping the data) and the manifest checksum to match. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - len);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + len), 8 + json.length);
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('safetensors', () => {
  it('writes the standard layout: u64 header length, JSON header, little-endian f32 data', () => {
    const bytes = encodeSafetensors([{ name: 'a', shape: [2], data: Float32Array.from([1.5, -2]) }]);
    const len = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + len) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(Array.from(new Float32Array(bytes.slice(8 + len).buffer))).toEqual([1.5, -2]);
    expect(decodeSafetensors(bytes).tensors.get('a')!.data).toEqual(Float32Array.from([1.5, -2]));
  });
});

describe('checkpoint', () => {
  it('round-trips weights, optimizer state and the manifest; the checksum is the sha256 of the bytes', async () => {
    const p = Policy.create(MINI, 3);
    const adam = new Adam(p.variables);
    const { bytes, manifest } = await encodeCheckpoint(p.getWeights(), { ...info, training: { step: 9 } }, adam.getState());
    expect(manifest.sha256).toBe(sha(bytes));
    expect(manifest.bytes).toBe(bytes.length);
    expect(manifest).toMatchObject({ format: 'nextstate-checkpoint', formatVersion: 1, preset: 'mini', corpusVersion: 'test-1', tokensSeen: 1234 });
    const manifestJson = JSON.parse(JSON.stringify(manifest));
    const decoded = await decodeCheckpoint(bytes, manifestJson, MINI);
    expect(decoded.weights).toEqual(p.getWeights());
    expect(decoded.optimizerState).toEqual(adam.getState());
    expect(decoded.manifest.training?.step).toBe(9);
    const { policy } = await loadPolicy(bytes, manifestJson);
    expect(policy.getWeights()).toEqual(p.getWeights());
    policy.dispose();
    adam.dispose();
    p.dispose();
  });

  it('rejects corrupt and mismatched files with named errors', async () => {
    const p = Policy.create(MINI, 4);
    const { bytes, manifest } = await encodeCheckpoint(p.getWeights(), info);
    p.dispose();
    // one flipped bit in the data
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 1;
    await rejects(decodeCheckpoint(flipped, manifest), 'checksum');
    // truncated file
    const cut = bytes.slice(0, bytes.length - 4);
    await rejects(decodeCheckpoint(cut, { ...manifest, sha256: sha(cut) }), 'header');
    await rejects(decodeCheckpoint(bytes.slice(0, 5), { ...manifest, sha256: sha(bytes.slice(0, 5)) }), 'header');
    // a header that is not JSON
    const garbled = bytes.slice();
    garbled[9] = 0x7b;
    garbled[10] = 0x7b;
    await rejects(decodeCheckpoint(garbled, { ...manifest, sha256: sha(garbled) }), 'header');
    // wrong dtype
    const f16 = withHeader(bytes, (h) => (h.embed.dtype = 'F16'));
    await rejects(decodeCheckpoint(f16, { ...manifest, sha256: sha(f16) }), 'dtype');
    // a weight whose shape disagrees with the config (same byte count)
    const reshaped = withHeader(bytes, (h) => (h.embed.shape = [...h.embed.shape].reverse()));
    await rejects(decodeCheckpoint(reshaped, { ...manifest, sha256: sha(reshaped) }), 'shape');
    // a manifest config that does not match the tensors
    const wider = { ...manifest, config: { ...MINI, dFF: MINI.dFF + 1 } };
    await rejects(decodeCheckpoint(bytes, wider), 'shape');
    // the caller expects another model
    await rejects(decodeCheckpoint(bytes, manifest, { ...MINI, vocabSize: 99 }), 'mismatch');
    // not a NextState manifest
    await rejects(decodeCheckpoint(bytes, { ...manifest, format: 'other' }), 'manifest');
    await rejects(decodeCheckpoint(bytes, { ...manifest, formatVersion: 2 }), 'manifest');
    const error = await rejects(decodeCheckpoint(bytes, null), 'manifest');
    expect(error.message).toMatch(/checkpoint manifest error/);
  });
});

describe('the shipped checkpoint', () => {
  it('public/models/nextstate-tiny loads, validates, fits in 8 MB and matches the tiny preset and the tokenizer', async () => {
    const { readFileSync } = await import('node:fs');
    const { presetConfig } = await import('../../src/model/presets.ts');
    const { defaultTokenizer, Tokenizer } = await import('../../src/model/tokenizer.ts');
    const bytes = new Uint8Array(readFileSync('public/models/nextstate-tiny.safetensors'));
    const manifest = JSON.parse(readFileSync('public/models/nextstate-tiny.json', 'utf8'));
    expect(bytes.length).toBeLessThanOrEqual(8 * 1024 * 1024);
    const { policy } = await loadPolicy(bytes, manifest, presetConfig('tiny', defaultTokenizer().vocabSize));
    expect(Tokenizer.fromJSON(manifest.tokenizer).toJSON()).toEqual(defaultTokenizer().toJSON());
    expect(manifest.tokensSeen).toBeGreaterThan(1e6);
    policy.dispose();
  });
});
