import type { ModelConfig } from '../../src/model/presets.ts';

/** Exact shapes of Hugging Face models (from their config.json), for benchmarks on random weights. */
export const MODEL_SHAPES: Record<string, ModelConfig> = {
  'smollm2-135m': {
    vocabSize: 49152, dModel: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, headDim: 64, dFF: 1536,
    maxLen: 8192, ropeBase: 100000, rmsEps: 1e-5, tiedEmbedding: true,
  },
  'qwen2.5-0.5b': {
    vocabSize: 151936, dModel: 896, nLayers: 24, nHeads: 14, nKvHeads: 2, headDim: 64, dFF: 4864,
    maxLen: 32768, ropeBase: 1000000, rmsEps: 1e-6, qkvBias: true, tiedEmbedding: true,
  },
};
