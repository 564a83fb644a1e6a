/**
 * The model `--model` names: `builtin` is the shipped policy (public/models); a folder is a Hugging Face model
 * (issue 12's loader, src/model/hf), served as a frozen base through `OnlineLoop.start({ hf })`. Its config
 * and tokenizer are checked here, before any engine starts, so a wrong folder is refused at once.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../src/model/checkpoint.ts';
import { HfModelError } from '../src/model/hf/errors.ts';
import { readHfModelInfo } from '../src/model/hf/load.ts';
import { INDEX_FILE, weightFileNames } from '../src/model/hf/weights-file.ts';
import type { CheckpointBlob, HfModelLocation } from '../src/workers/protocol.ts';
import { folderFiles } from '../scripts/lib/model-folder.ts';
import { BUILTIN_MODEL, FlagError } from './policy-flags.ts';

const MODELS = fileURLToPath(new URL('../public/models/', import.meta.url));
/** The files of a Hugging Face folder the loader reads besides its weights. */
const METADATA_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', INDEX_FILE];

export type ServedModelSource =
  | { kind: 'builtin'; checkpoint: CheckpointBlob; name: string }
  | { kind: 'hf'; location: HfModelLocation & { kind: 'files' }; family: string; name: string };

export function loadServedCheckpoint(): CheckpointBlob {
  const bytes = new Uint8Array(readFileSync(`${MODELS}${BUILTIN_MODEL}.safetensors`));
  const manifest = parseManifest(JSON.parse(readFileSync(`${MODELS}${BUILTIN_MODEL}.json`, 'utf8')));
  return { bytes, manifest };
}

/** What `--model` names, loaded: the shipped checkpoint, or a Hugging Face folder's files (config and tokenizer checked). */
export async function loadServedModel(model: string): Promise<ServedModelSource> {
  if (model === 'builtin' || model === BUILTIN_MODEL) return { kind: 'builtin', checkpoint: loadServedCheckpoint(), name: BUILTIN_MODEL };
  if (!existsSync(model) || !statSync(model).isDirectory()) throw new FlagError(`--model ${model}: neither "builtin" nor a folder`);
  const folder = folderFiles(model);
  try {
    const info = await readHfModelInfo(folder);
    const files: Record<string, Uint8Array> = {};
    for (const name of [...METADATA_FILES, ...(await weightFileNames(folder))]) {
      const bytes = await folder.read(name);
      if (bytes) files[name] = bytes;
    }
    const name = basename(resolve(model));
    return { kind: 'hf', location: { kind: 'files', name: folder.source, files }, family: info.family, name };
  } catch (error) {
    if (error instanceof HfModelError) throw new FlagError(`--model ${model}: ${error.message}`);
    throw error;
  }
}
