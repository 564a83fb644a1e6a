import { weightSpecs } from '../weights.ts';
import type { ModelConfig } from '../presets.ts';
import type { BaseModelIdentity } from './peft.ts';

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * A base model's identity for its adapters: name and revision as the caller knows them, and a sha256 over its
 * weights as the graph holds them (f32, weights.ts order: the digest of each weight's digest), so the same
 * model from the Hub, a folder or a file picker, in any dtype or sharding that converts to the same numbers,
 * has the same checksum, and another model never does.
 */
export async function baseIdentity(name: string, revision: string | null, config: ModelConfig, weights: Record<string, Float32Array>): Promise<BaseModelIdentity> {
  const specs = weightSpecs(config);
  const digests = new Uint8Array(32 * specs.length);
  for (let i = 0; i < specs.length; i++) {
    const w = weights[specs[i].name];
    digests.set(await sha256(new Uint8Array(w.buffer, w.byteOffset, w.byteLength)), 32 * i);
  }
  const hex = Array.from(await sha256(digests), (b) => b.toString(16).padStart(2, '0')).join('');
  return { name, revision, sha256: hex };
}
