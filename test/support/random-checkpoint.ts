/** A small random policy with the real tokenizer, as checkpoint bytes: for engine and loop tests that need no trained model. */
import { Policy } from '../../src/model/policy.ts';
import { encodeCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import type { ModelConfig } from '../../src/model/presets.ts';
import type { CheckpointBlob } from '../../src/workers/protocol.ts';

export function smallConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { vocabSize: defaultTokenizer().vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 256, ropeBase: 10000, ...overrides };
}

export async function randomCheckpoint(seed: number, config: ModelConfig = smallConfig()): Promise<CheckpointBlob> {
  const policy = Policy.create(config, seed);
  const blob = await encodeCheckpoint(policy.getWeights(), {
    preset: 'test', config, tokenizer: defaultTokenizer().toJSON(), corpusVersion: null, tokensSeen: 0, finalLoss: null,
  });
  policy.dispose();
  return blob;
}
