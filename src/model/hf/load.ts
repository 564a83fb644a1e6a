import type { ModelConfig } from '../presets.ts';
import { HfModelError } from './errors.ts';
import { memoFiles, readJson, type ModelFiles } from './files.ts';
import { parseHfConfig, type Family } from './hf-config.ts';
import { HfChatTokenizer } from './hf-tokenizer.ts';
import { readHfWeights } from './weights-file.ts';

export interface HfModel {
  source: string;
  family: Family;
  config: ModelConfig;
  /** Graph weights (weights.ts names and layout), f32. */
  weights: Record<string, Float32Array>;
  tokenizer: HfChatTokenizer;
}

/** The config and tokenizer of a folder, read and checked before any weight is: enough to size and refuse a model. */
export async function readHfModelInfo(files: ModelFiles): Promise<Omit<HfModel, 'weights'>> {
  const { family, config } = parseHfConfig(await readJson(files, 'config.json', true));
  const tokenizer = new HfChatTokenizer(
    await readJson(files, 'tokenizer.json', true),
    (await readJson(files, 'tokenizer_config.json', false)) ?? {},
    (await readJson(files, 'generation_config.json', false)) ?? {},
  );
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new HfModelError('tokenizer', `tokenizer.json has ids up to ${tokenizer.vocabSize - 1}, config.json vocab_size is ${config.vocabSize}`);
  }
  return { source: files.source, family, config, tokenizer };
}

/** A Hugging Face model folder, read, validated and converted to the graph's weights (no graph is built here). */
export async function loadHfModel(files: ModelFiles): Promise<HfModel> {
  const info = await readHfModelInfo(memoFiles(files));
  return { ...info, weights: await readHfWeights(files, info.config) };
}
