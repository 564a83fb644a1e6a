import type { ModelConfig } from './presets.ts';
import { weightSpecs } from './weights.ts';
import { Policy } from './policy.ts';
import { upgradeFusedCheckpoint } from './legacy-checkpoint.ts';
import { CheckpointError, decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts';

export { CheckpointError } from './safetensors.ts';

export const CHECKPOINT_FORMAT = 'nextstate-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Where a resumable checkpoint left its training run (optimizer moments travel as `adam.*` tensors). */
export interface TrainingProgress {
  step: number;
  totalSteps?: number;
  [key: string]: unknown;
}

/** The JSON that travels next to the safetensors bytes: the one checkpoint format (issue 2). */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  preset: string;
  config: ModelConfig;
  /** The tokenizer's own toJSON(). */
  tokenizer: unknown;
  corpusVersion: string | number | null;
  tokensSeen: number;
  finalLoss: number | null;
  /** Hex sha256 of the safetensors bytes. */
  sha256: string;
  bytes: number;
  created: string;
  training?: TrainingProgress;
}

export type CheckpointInfo = Omit<CheckpointManifest, 'format' | 'formatVersion' | 'sha256' | 'bytes' | 'created'> & { created?: string };

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Safetensors bytes and their manifest for a policy's weights (plus optional optimizer state). */
export async function encodeCheckpoint(
  weights: Record<string, Float32Array>,
  info: CheckpointInfo,
  optimizerState: Record<string, Float32Array> = {},
): Promise<{ bytes: Uint8Array; manifest: CheckpointManifest }> {
  const tensors: NamedTensor[] = weightSpecs(info.config).map(({ name, shape }) => ({ name, shape, data: weights[name] }));
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  for (const [name, data] of Object.entries(optimizerState)) {
    const weight = name.replace(/^adam\.[mv]\./, '');
    tensors.push({ name, shape: shapes.get(weight) ?? [data.length], data });
  }
  const bytes = encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT });
  const { created, ...rest } = info;
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    ...rest,
    sha256: await sha256Hex(bytes),
    bytes: bytes.length,
    created: created ?? new Date().toISOString(),
  };
  return { bytes, manifest };
}

/** Check a parsed manifest's fields; throws CheckpointError('manifest') on anything unexpected. */
export function parseManifest(json: unknown): CheckpointManifest {
  const m = json as CheckpointManifest;
  if (!m || typeof m !== 'object') throw new CheckpointError('manifest', 'manifest is not an object');
  if (m.format !== CHECKPOINT_FORMAT) throw new CheckpointError('manifest', `format is "${String(m.format)}", expected "${CHECKPOINT_FORMAT}"`);
  if (m.formatVersion !== CHECKPOINT_FORMAT_VERSION) throw new CheckpointError('manifest', `format version ${m.formatVersion} is not supported`);
  const c = m.config;
  const keys: (keyof ModelConfig)[] = ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'dFF', 'maxLen', 'ropeBase'];
  if (!c || !keys.every((k) => typeof c[k] === 'number' && c[k] > 0)) throw new CheckpointError('manifest', 'config is incomplete');
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) throw new CheckpointError('manifest', 'sha256 is missing');
  return m;
}

export interface DecodedCheckpoint {
  manifest: CheckpointManifest;
  weights: Record<string, Float32Array>;
  /** `adam.m.*` / `adam.v.*` tensors when the checkpoint is resumable. */
  optimizerState: Record<string, Float32Array>;
}

/**
 * Validate and decode: manifest fields, checksum, safetensors header and dtype, every weight's shape against the
 * manifest's config, and (when given) that config against the one the caller expects.
 */
export async function decodeCheckpoint(bytes: Uint8Array, manifestJson: unknown, expected?: ModelConfig): Promise<DecodedCheckpoint> {
  const manifest = parseManifest(manifestJson);
  if (expected) {
    for (const [k, v] of Object.entries(expected)) {
      const got = manifest.config[k as keyof ModelConfig];
      if (got !== v) throw new CheckpointError('mismatch', `config.${k} is ${got}, expected ${v}`);
    }
  }
  const digest = await sha256Hex(bytes);
  if (digest !== manifest.sha256) throw new CheckpointError('checksum', `sha256 ${digest.slice(0, 12)}… differs from the manifest's ${manifest.sha256.slice(0, 12)}…`);
  const tensors = upgradeFusedCheckpoint(decodeSafetensors(bytes).tensors);
  const weights: Record<string, Float32Array> = {};
  for (const { name, shape } of weightSpecs(manifest.config)) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError('shape', `weight "${name}" is missing`);
    if (t.shape.join(',') !== shape.join(',')) throw new CheckpointError('shape', `"${name}" has shape [${t.shape}], the config needs [${shape}]`);
    weights[name] = t.data;
    tensors.delete(name);
  }
  const optimizerState: Record<string, Float32Array> = {};
  for (const [name, t] of tensors) {
    if (!/^adam\.[mv]\./.test(name)) throw new CheckpointError('shape', `unexpected tensor "${name}"`);
    optimizerState[name] = t.data;
  }
  return { manifest, weights, optimizerState };
}

/** A policy built from checkpoint bytes and manifest (validated as decodeCheckpoint does). */
export async function loadPolicy(bytes: Uint8Array, manifestJson: unknown, expected?: ModelConfig): Promise<{ policy: Policy; manifest: CheckpointManifest }> {
  const { manifest, weights } = await decodeCheckpoint(bytes, manifestJson, expected);
  return { policy: new Policy(manifest.config, weights), manifest };
}
