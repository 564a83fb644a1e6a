import { HfModelError } from './errors.ts';

/**
 * Reading a Hugging Face safetensors file: 8-byte little-endian header length, a JSON header
 * `name → {dtype, shape, data_offsets}` (+ `__metadata__`), then raw little-endian data. BF16, F16 and F32 are
 * converted to f32 (tfjs computes in f32); any other dtype is refused.
 */
export interface TensorEntry {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16';
  shape: number[];
  /** Byte range within the whole file. */
  begin: number;
  end: number;
}

const BYTES_PER_VALUE = { F32: 4, F16: 2, BF16: 2 } as const;

export function readSafetensorsHeader(bytes: Uint8Array, file: string): Map<string, TensorEntry> {
  if (bytes.length < 8) throw new HfModelError('header', `${file}: ${bytes.length} bytes is too short for a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || 8 + headerLength > bytes.length) {
    throw new HfModelError('header', `${file}: header length ${headerLength} does not fit the file of ${bytes.length} bytes (corrupt or cut off)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new HfModelError('header', `${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new HfModelError('header', `${file}: header is not a JSON object`);
  const dataStart = 8 + headerLength;
  const entries = new Map<string, TensorEntry>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const dtype = e?.dtype;
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      throw new HfModelError('dtype', `${file}: "${name}" has dtype ${String(dtype)}; supported are BF16, F16, F32`);
    }
    const shape = e!.shape;
    const offsets = e!.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new HfModelError('header', `${file}: "${name}" has a bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isInteger)) throw new HfModelError('header', `${file}: "${name}" has bad data_offsets`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const [from, to] = offsets as number[];
    if (from < 0 || to - from !== count * BYTES_PER_VALUE[dtype] || dataStart + to > bytes.length) {
      throw new HfModelError('header', `${file}: "${name}" data_offsets [${from}, ${to}] do not fit shape [${shape}] ${dtype} within the file (corrupt or cut off)`);
    }
    entries.set(name, { name, dtype, shape: shape as number[], begin: dataStart + from, end: dataStart + to });
  }
  return entries;
}

/**
 * One tensor as f32; a 2-D one optionally transposed on the way (a file's [out, in] becomes the graph's [in, out]).
 * bf16 is the top half of an f32; f16 is widened exactly.
 */
export function tensorToF32(bytes: Uint8Array, e: TensorEntry, transpose: boolean): Float32Array {
  const count = e.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.begin, e.end - e.begin);
  if (e.dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else if (e.dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return transpose && e.shape.length === 2 ? transposed(out, e.shape[0], e.shape[1]) : out;
}

export function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[from + c];
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
