/**
 * The name map between a Hugging Face Llama-family checkpoint and the graph (weights.ts): the same table serves
 * loading and, for adapters, saving under the checkpoint's own names. Matrices are transposed on the way
 * ([out, in] in the file, [in, out] in the graph).
 */
const LAYER_NAMES: readonly (readonly [hf: string, graph: string])[] = [
  ['input_layernorm.weight', 'attn_norm'],
  ['self_attn.q_proj.weight', 'wq'],
  ['self_attn.k_proj.weight', 'wk'],
  ['self_attn.v_proj.weight', 'wv'],
  ['self_attn.q_proj.bias', 'bq'],
  ['self_attn.k_proj.bias', 'bk'],
  ['self_attn.v_proj.bias', 'bv'],
  ['self_attn.q_norm.weight', 'q_norm'],
  ['self_attn.k_norm.weight', 'k_norm'],
  ['self_attn.o_proj.weight', 'wo'],
  ['post_attention_layernorm.weight', 'mlp_norm'],
  ['mlp.gate_proj.weight', 'w_gate'],
  ['mlp.up_proj.weight', 'w_up'],
  ['mlp.down_proj.weight', 'w_down'],
];

const GLOBAL_NAMES: readonly (readonly [hf: string, graph: string])[] = [
  ['model.embed_tokens.weight', 'embed'],
  ['model.norm.weight', 'final_norm'],
  ['lm_head.weight', 'head'],
];

const toGraph = new Map(GLOBAL_NAMES.map(([h, g]) => [h, g]));
const toHf = new Map(GLOBAL_NAMES.map(([h, g]) => [g, h]));
const layerToGraph = new Map(LAYER_NAMES.map(([h, g]) => [h, g]));
const layerToHf = new Map(LAYER_NAMES.map(([h, g]) => [g, h]));

/** The graph's name of a checkpoint tensor, or undefined when the graph has no such weight. */
export function graphName(hfName: string): string | undefined {
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  if (m) {
    const g = layerToGraph.get(m[2]);
    return g && `layers.${m[1]}.${g}`;
  }
  return toGraph.get(hfName);
}

/** The checkpoint's name of a graph weight. */
export function hfName(graph: string): string {
  const m = /^layers\.(\d+)\.(.+)$/.exec(graph);
  const name = m ? layerToHf.get(m[2]) && `model.layers.${m[1]}.${layerToHf.get(m[2])}` : toHf.get(graph);
  if (!name) throw new Error(`graph weight "${graph}" has no checkpoint name`);
  return name;
}

/** Buffers some checkpoints carry that the graph recomputes (rotary inverse frequencies). */
export function isDerivedBuffer(hfName: string): boolean {
  return hfName.endsWith('.rotary_emb.inv_freq');
}
