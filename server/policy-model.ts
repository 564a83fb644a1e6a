/**
 * The checkpoint `--model` names: `builtin` is the shipped policy (public/models). A Hugging Face folder is
 * issue 12's ("Bring your own agent") model loader; until it is on main the server says so and stops.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../src/model/checkpoint.ts';
import type { CheckpointBlob } from '../src/workers/protocol.ts';
import { BUILTIN_MODEL, FlagError } from './policy-flags.ts';

const MODELS = fileURLToPath(new URL('../public/models/', import.meta.url));

export function loadServedCheckpoint(model: string): CheckpointBlob {
  if (model === 'builtin' || model === BUILTIN_MODEL) {
    const bytes = new Uint8Array(readFileSync(`${MODELS}${BUILTIN_MODEL}.safetensors`));
    const manifest = parseManifest(JSON.parse(readFileSync(`${MODELS}${BUILTIN_MODEL}.json`, 'utf8')));
    return { bytes, manifest };
  }
  if (existsSync(model) && statSync(model).isDirectory()) {
    throw new FlagError(`--model ${model}: Hugging Face folders are not yet supported by the policy server (issue 12 brings the loader); use --model builtin`);
  }
  throw new FlagError(`--model ${model}: neither "builtin" nor a folder`);
}
