/**
 * Shared by the playground's browser tests: the model the page loads. The shipped checkpoint when it is in
 * public/models/, otherwise a random one of the same preset written under .cache/ (git-ignored) so the page
 * can be exercised before pretraining lands. A random policy replies with noise; the loop does not care.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeCheckpoint } from '../../src/model/checkpoint.ts';
import { presetConfig } from '../../src/model/presets.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { initialWeights } from '../../src/model/weights.ts';

const root = resolve(import.meta.dirname, '../..');
export const SHIPPED_MODEL = '/models/nextstate-tiny';
export const DEV_MODEL = '/.cache/app-dev/nextstate-tiny';

/** The model base URL (without `.json` / `.safetensors`) the tests should pass as `?model=`. */
export async function testModel(): Promise<{ base: string; shipped: boolean }> {
  if (existsSync(resolve(root, `public${SHIPPED_MODEL}.json`))) return { base: SHIPPED_MODEL, shipped: true };
  const file = resolve(root, DEV_MODEL.slice(1));
  if (!existsSync(`${file}.json`)) {
    const tokenizer = defaultTokenizer();
    const config = presetConfig('tiny', tokenizer.vocabSize);
    const { bytes, manifest } = await encodeCheckpoint(initialWeights(config, 1), {
      preset: 'tiny', config, tokenizer: tokenizer.toJSON(), corpusVersion: 'random (development)', tokensSeen: 0, finalLoss: null,
    });
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(`${file}.safetensors`, bytes);
    writeFileSync(`${file}.json`, JSON.stringify(manifest, null, 1));
  }
  return { base: DEV_MODEL, shipped: false };
}
