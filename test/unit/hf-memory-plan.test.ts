import { describe, it, expect, beforeAll } from 'vitest';
import { planMemory } from '../../src/model/hf/memory-plan.ts';
import { parseHfConfig } from '../../src/model/hf/hf-config.ts';
import { Policy } from '../../src/model/policy.ts';
import { MODEL_SHAPES } from '../../scripts/lib/model-shapes.ts';
import { useWasm } from './model-helpers.ts';

beforeAll(useWasm);

/** SmolLM2-135M-Instruct's config.json (the fields the graph reads), as the Hub serves it. */
const SMOLLM2_135M = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
  num_attention_heads: 9, num_key_value_heads: 3, head_dim: 64, max_position_embeddings: 8192, rms_norm_eps: 1e-5,
  rope_theta: 100000, rope_scaling: null, tie_word_embeddings: true, vocab_size: 49152, hidden_act: 'silu', attention_bias: false, mlp_bias: false,
};

/** Llama-3.2-1B-Instruct's config.json fields. */
const LLAMA_32_1B = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
  num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, max_position_embeddings: 131072, rms_norm_eps: 1e-5,
  rope_theta: 500000, tie_word_embeddings: true, vocab_size: 128256, hidden_act: 'silu',
  rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
};

describe('memory plan before a download', () => {
  it('SmolLM2-135M: 134.5M parameters, 538 MB of f32 weights, the KV cache of its GQA, and the shape the benchmark uses', () => {
    const { config } = parseHfConfig(SMOLLM2_135M);
    expect(config).toEqual({ ...MODEL_SHAPES['smollm2-135m'], maxLen: 8192, qkvBias: false, qkNorm: false });
    const plan = planMemory(config, 269_060_552, {});
    expect(plan.weightBytes).toBe(4 * 134_515_008);
    // 30 layers × (k, v) × 3 kv heads × 64 × 1024 positions × 4 bytes
    expect(plan.kvCacheBytes).toBe(30 * 2 * 3 * 64 * 1024 * 4);
    expect(plan.refusals).toEqual([]);
    const p = Policy.create({ ...config, nLayers: 1, vocabSize: 64 }, 1); // the count formula agrees with the graph's weights
    expect(p.parameterCount).toBe(64 * 576 + (2 * 576 + 576 * (576 + 2 * 192) + 576 * 576 + 3 * 576 * 1536) + 576);
    p.dispose();
  });

  it('Llama 3.2 1B (llama3 rope scaling) loads as a config, and is refused on a small device with the numbers', () => {
    const { config } = parseHfConfig(LLAMA_32_1B);
    expect(config.ropeScaling).toEqual({ factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxLen: 8192 });
    const plan = planMemory(config, 2_471_645_608, { storageAvailable: 1e9, maxBufferSize: 256 * 2 ** 20, memoryBudget: 4 * 2 ** 30 });
    expect(plan.weightBytes).toBe(4 * 1_235_814_400);
    expect(plan.refusals).toHaveLength(3);
    expect(plan.refusals[0]).toMatch(/need 2472 MB of storage; this site may use 1000 MB more/);
    expect(plan.refusals[1]).toMatch(/embedding is 1051 MB as f32; the GPU's largest buffer is 268 MB/);
    expect(plan.refusals[2]).toMatch(/weights 4943 MB as f32/);
  });
});
