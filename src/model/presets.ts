/** Model shapes as plain data (STYLE: presets are data, not code paths). */
export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Hidden width of the SwiGLU MLP (each of its gate and up projections). */
  dFF: number;
  /** Longest sequence the rotary tables and the causal mask are built for. */
  maxLen: number;
  ropeBase: number;
}

export type PresetName = 'tiny' | 'small';

/** Shapes without the vocabulary, which the tokenizer decides. */
export type ModelShape = Omit<ModelConfig, 'vocabSize'>;

export const PRESETS: Record<PresetName, ModelShape> = {
  // ~0.85M parameters: MEASURED.md found fewer parameters and more tokens win at this CPU budget.
  tiny: { dModel: 128, nLayers: 4, nHeads: 4, dFF: 352, maxLen: 384, ropeBase: 10000 },
  // ~4.8M parameters.
  small: { dModel: 256, nLayers: 6, nHeads: 8, dFF: 688, maxLen: 384, ropeBase: 10000 },
};

export const DEFAULT_PRESET: PresetName = 'tiny';

export function presetConfig(name: PresetName, vocabSize: number): ModelConfig {
  const shape = PRESETS[name];
  if (!shape) throw new Error(`unknown model preset "${name}"`);
  return { vocabSize, ...shape };
}

/** Parameter count of a config: tied embedding, per layer two norms + qkv + output + SwiGLU, final norm. */
export function parameterCount(c: ModelConfig): number {
  const perLayer = 2 * c.dModel + c.dModel * 3 * c.dModel + c.dModel * c.dModel + 3 * c.dModel * c.dFF;
  return c.vocabSize * c.dModel + c.nLayers * perLayer + c.dModel;
}
