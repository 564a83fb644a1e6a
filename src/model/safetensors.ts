/**
 * The safetensors container (8-byte little-endian header length, a JSON header, raw little-endian data), for
 * float32 tensors only. Works on bytes: no fs, so the same code runs in Node and the browser.
 */

export type CheckpointErrorCode = 'header' | 'dtype' | 'shape' | 'checksum' | 'manifest' | 'mismatch';

/** A corrupt or mismatched checkpoint; `code` says which check failed. */
export class CheckpointError extends Error {
  constructor(readonly code: CheckpointErrorCode, message: string) {
    super(`checkpoint ${code} error: ${message}`);
    this.name = 'CheckpointError';
  }
}

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new CheckpointError('shape', `"${t.name}" has ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new CheckpointError('header', `file of ${bytes.length} bytes is too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || 8 + headerLength > bytes.length) throw new CheckpointError('header', `header length ${headerLength} does not fit the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new CheckpointError('header', `header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError('header', 'header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let covered = 0;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    if (entry?.dtype !== 'F32') throw new CheckpointError('dtype', `"${name}" has dtype ${String(entry?.dtype)}, expected F32`);
    const { shape, data_offsets: offsets } = entry;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new CheckpointError('header', `"${name}" has a bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2) throw new CheckpointError('header', `"${name}" has bad data_offsets`);
    const [begin, end] = offsets;
    const size = shape.reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && end <= dataLength && end - begin === 4 * size)) {
      throw new CheckpointError('header', `"${name}" offsets [${begin}, ${end}] do not match shape [${shape}] within ${dataLength} data bytes`);
    }
    covered += end - begin;
    // copy: the data may not be 4-byte aligned within the caller's buffer
    const data = new Float32Array(size);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    for (let i = 0; i < size; i++) data[i] = dv.getFloat32(4 * i, true);
    tensors.set(name, { name, shape, data });
  }
  if (covered !== dataLength) throw new CheckpointError('header', `tensors cover ${covered} of ${dataLength} data bytes`);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  return { tensors, metadata };
}
