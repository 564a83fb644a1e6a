/**
 * Model shapes as plain data (STYLE: presets are data, not code paths). One decoder serves every family: the
 * optional fields switch its few variations, and their defaults are the built-in policy's choices.
 */
export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Hidden width of the SwiGLU MLP (each of its gate and up projections). */
  dFF: number;
  /** Longest sequence the model is run on (positions 0..maxLen-1). */
  maxLen: number;
  /** Rotary base θ. */
  ropeBase: number;
  /** Key/value heads of grouped-query attention (default nHeads); nHeads must be a multiple of it. */
  nKvHeads?: number;
  /** Width of one head (default dModel / nHeads; Qwen3 sets it explicitly). */
  headDim?: number;
  /** RMSNorm epsilon (default 1e-5). */
  rmsEps?: number;
  /** Biases on the query, key and value projections (Qwen2). */
  qkvBias?: boolean;
  /** RMSNorm of each query and key head before rotation (Qwen3). */
  qkNorm?: boolean;
  /** The output layer is the embedding (default true); otherwise a separate `head` weight. */
  tiedEmbedding?: boolean;
  /** Llama 3's frequency-dependent rotary scaling (absent: plain rotary). */
  ropeScaling?: Llama3RopeScaling;
}

/** `rope_scaling` with `rope_type: "llama3"` (Llama 3.1/3.2). */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxLen: number;
}

/** Every field of a config with its default filled in: what the graph reads. */
export type ResolvedConfig = Required<Omit<ModelConfig, 'ropeScaling'>> & Pick<ModelConfig, 'ropeScaling'>;

export function resolveConfig(c: ModelConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    nKvHeads: c.nHeads,
    headDim: c.dModel / c.nHeads,
    rmsEps: 1e-5,
    qkvBias: false,
    qkNorm: false,
    tiedEmbedding: true,
    ...c,
  };
  if (!Number.isInteger(r.headDim) || r.headDim % 2 !== 0) throw new Error(`head width ${r.headDim} must be an even integer`);
  if (!Number.isInteger(r.nKvHeads) || r.nKvHeads < 1 || r.nHeads % r.nKvHeads !== 0) {
    throw new Error(`${r.nHeads} query heads are not a multiple of ${r.nKvHeads} key/value heads`);
  }
  return r;
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

/** Parameter count of a config: embedding (+ head if untied), per layer norms + attention + SwiGLU, final norm. */
export function parameterCount(config: ModelConfig): number {
  const c = resolveConfig(config);
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const attention = c.dModel * (q + 2 * kv) + q * c.dModel + (c.qkvBias ? q + 2 * kv : 0) + (c.qkNorm ? 2 * c.headDim : 0);
  const perLayer = 2 * c.dModel + attention + 3 * c.dModel * c.dFF;
  const embedding = c.vocabSize * c.dModel * (c.tiedEmbedding ? 1 : 2);
  return embedding + c.nLayers * perLayer + c.dModel;
}
