import type { ModelConfig } from '../presets.ts';
import { HfModelError } from './errors.ts';

/** The families the one graph serves, by `model_type` in config.json. */
export const SUPPORTED_FAMILIES = ['llama', 'qwen2', 'qwen3'] as const;
export type Family = (typeof SUPPORTED_FAMILIES)[number];

export interface HfModelConfig {
  family: Family;
  config: ModelConfig;
}

/**
 * The graph's config from a checkpoint's `config.json`: the Llama family (RMSNorm, rotary with `rope_theta`,
 * grouped-query attention, SwiGLU, tied or separate head), Qwen2's q/k/v biases, Qwen3's q/k RMSNorm and explicit
 * `head_dim`. Anything the graph does not implement is refused with the family and the field named.
 */
export function parseHfConfig(json: Record<string, unknown>): HfModelConfig {
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(json, k) ? json[k] : undefined);
  const type = own('model_type');
  const architectures = own('architectures');
  const family = SUPPORTED_FAMILIES.find((f) => f === type);
  if (!family) {
    const named = Array.isArray(architectures) ? ` (${architectures.join(', ')})` : '';
    throw new HfModelError('unsupported', `config.json model_type "${String(type)}"${named} is not supported; supported families: ${SUPPORTED_FAMILIES.join(', ')}`);
  }
  const refuse = (field: string, why: string): never => {
    throw new HfModelError('unsupported', `${family}: config.json ${field} ${why}`);
  };
  const int = (field: string, fallback?: number): number => {
    const v = own(field) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new HfModelError('config', `${family}: config.json ${field} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (field: string, fallback: number): number => {
    const v = own(field) ?? fallback;
    if (typeof v !== 'number' || !(v > 0)) throw new HfModelError('config', `${family}: config.json ${field} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const flag = (field: string, fallback: boolean): boolean => {
    const v = own(field) ?? fallback;
    if (typeof v !== 'boolean') throw new HfModelError('config', `${family}: config.json ${field} must be true or false`);
    return v;
  };

  const act = own('hidden_act') ?? 'silu';
  if (act !== 'silu') refuse('hidden_act', `"${String(act)}" is not implemented (SwiGLU needs "silu")`);
  if (own('quantization_config') !== undefined) refuse('quantization_config', 'is set: quantized weights are not supported');
  if (flag('mlp_bias', false)) refuse('mlp_bias', 'is true: MLP biases are not implemented');
  if (family !== 'qwen2' && flag('attention_bias', false)) refuse('attention_bias', 'is true: output-projection biases are not implemented');
  if (family === 'qwen2' && flag('use_sliding_window', false)) refuse('use_sliding_window', 'is true: sliding-window attention is not implemented');

  const dModel = int('hidden_size');
  const nHeads = int('num_attention_heads');
  const ropeParameters = own('rope_parameters') as Record<string, unknown> | undefined;
  const config: ModelConfig = {
    vocabSize: int('vocab_size'),
    dModel,
    nLayers: int('num_hidden_layers'),
    nHeads,
    nKvHeads: int('num_key_value_heads', nHeads),
    headDim: own('head_dim') === null ? dModel / nHeads : int('head_dim', dModel / nHeads),
    dFF: int('intermediate_size'),
    maxLen: int('max_position_embeddings'),
    ropeBase: typeof ropeParameters?.rope_theta === 'number' ? ropeParameters.rope_theta : num('rope_theta', 10000),
    rmsEps: num('rms_norm_eps', 1e-6),
    qkvBias: family === 'qwen2',
    qkNorm: family === 'qwen3',
    tiedEmbedding: flag('tie_word_embeddings', false), // transformers' default
  };
  if (config.nHeads % config.nKvHeads! !== 0) refuse('num_key_value_heads', `${config.nKvHeads} does not divide num_attention_heads ${nHeads}`);
  if (config.headDim! % 2 !== 0) refuse('head_dim', `${config.headDim} is odd: rotary needs an even head width`);
  const scaling = (own('rope_scaling') ?? ropeParameters) as Record<string, unknown> | null | undefined;
  const ropeType = scaling ? (scaling.rope_type ?? scaling.type) : undefined;
  if (scaling && ropeType !== undefined && ropeType !== 'default') {
    if (ropeType !== 'llama3') refuse('rope_scaling.rope_type', `"${String(ropeType)}" is not implemented (supported: llama3)`);
    const field = (k: string) => {
      const v = scaling[k];
      if (typeof v !== 'number' || !(v > 0)) throw new HfModelError('config', `${family}: config.json rope_scaling.${k} must be a positive number`);
      return v;
    };
    config.ropeScaling = {
      factor: field('factor'),
      lowFreqFactor: field('low_freq_factor'),
      highFreqFactor: field('high_freq_factor'),
      originalMaxLen: field('original_max_position_embeddings'),
    };
  }
  return { family, config };
}
