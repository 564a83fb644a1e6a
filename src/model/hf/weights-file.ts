import { weightSpecs } from '../weights.ts';
import type { ModelConfig } from '../presets.ts';
import { HfModelError } from './errors.ts';
import { readJson, type ModelFiles } from './files.ts';
import { readSafetensorsHeader, tensorToF32, type TensorEntry } from './safetensors-file.ts';
import { graphName, hfName, isDerivedBuffer } from './names.ts';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** The weight files a folder holds: `model.safetensors`, or the shards its index names. */
export async function weightFileNames(files: ModelFiles): Promise<string[]> {
  const index = await readJson(files, INDEX_FILE, false);
  if (!index) return [SINGLE_FILE];
  const map = index.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new HfModelError('config', `${INDEX_FILE} has no weight_map object`);
  const shards = new Set<string>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !/^[\w.-]+\.safetensors$/.test(file)) throw new HfModelError('config', `${INDEX_FILE}: "${name}" maps to ${JSON.stringify(file)}, not a safetensors file in the folder`);
    shards.add(file);
  }
  return [...shards].sort();
}

/**
 * Every graph weight as f32 in the graph's layout, read from the folder's safetensors file or shards. Refuses a
 * missing file, a corrupt header, a dtype other than BF16/F16/F32, a tensor the graph does not have, a weight the
 * config needs but the files lack, and any shape that disagrees with the config.
 */
export async function readHfWeights(files: ModelFiles, config: ModelConfig): Promise<Record<string, Float32Array>> {
  const expected = new Map(weightSpecs(config).map((s) => [s.name, s.shape]));
  const weights: Record<string, Float32Array> = {};
  for (const file of await weightFileNames(files)) {
    const bytes = await files.read(file);
    if (!bytes) throw new HfModelError('missing-file', `${files.source} has no ${file}`);
    for (const entry of readSafetensorsHeader(bytes, file).values()) {
      const name = graphName(entry.name);
      if (isDerivedBuffer(entry.name) || (name === 'head' && config.tiedEmbedding)) continue; // tied: lm_head repeats the embedding
      const shape = name ? expected.get(name) : undefined;
      if (!name || !shape) throw new HfModelError('unknown-tensor', `${file}: tensor "${entry.name}" is not part of this config's graph`);
      checkShape(file, entry, shape);
      if (weights[name]) throw new HfModelError('header', `${file}: tensor "${entry.name}" appears twice`);
      weights[name] = tensorToF32(bytes, entry, shape.length === 2);
    }
  }
  for (const name of expected.keys()) {
    if (!weights[name]) throw new HfModelError('missing-tensor', `${files.source}: the config needs tensor "${hfName(name)}", which no safetensors file holds`);
  }
  return weights;
}

function checkShape(file: string, entry: TensorEntry, graphShape: number[]): void {
  const fileShape = graphShape.length === 2 ? [graphShape[1], graphShape[0]] : graphShape;
  if (entry.shape.join() !== fileShape.join()) {
    throw new HfModelError('shape', `${file}: "${entry.name}" has shape [${entry.shape}], config.json implies [${fileShape}]`);
  }
}
