import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LoraAdapter, ALL_TARGETS, ATTENTION_TARGETS, type LoraConfig } from '../../src/model/adapter/lora.ts';
import { decodePeft, encodePeft, AdapterError, type BaseModelIdentity, type PeftFiles } from '../../src/model/adapter/peft.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';
import { createRng } from '../../src/model/rng.ts';
import type { ModelConfig } from '../../src/model/presets.ts';
import { useWasm } from './model-helpers.ts';

/** A Llama-family shape with GQA (k, v narrower than q) and an MLP wider than the model. */
const MODEL: ModelConfig = { vocabSize: 40, dModel: 24, nLayers: 3, nHeads: 4, nKvHeads: 2, dFF: 40, maxLen: 64, ropeBase: 10000 };
const BASE: BaseModelIdentity = { name: 'HuggingFaceTB/SmolLM2-135M-Instruct', revision: 'main', sha256: 'ab'.repeat(32) };

beforeAll(useWasm);

function randomAdapter(config: LoraConfig, seed: number): LoraAdapter {
  const adapter = LoraAdapter.create(MODEL, config, seed);
  const rng = createRng(seed + 1);
  const w = adapter.getWeights();
  for (const d of Object.values(w)) for (let i = 0; i < d.length; i++) d[i] = 2 * rng() - 1;
  adapter.setWeights(w);
  return adapter;
}

/** The header of a safetensors file, parsed independently of the code under test. */
function header(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

function refused(files: PeftFiles, code: AdapterError['code'], message: RegExp, base = BASE, model = MODEL): void {
  let error: unknown;
  try {
    decodePeft(files, model, base);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AdapterError);
  expect((error as AdapterError).code).toBe(code);
  expect((error as AdapterError).message).toMatch(message);
}

describe('PEFT adapter files', () => {
  it("adapter_model.safetensors: PEFT's names, [r, in] / [out, r] shapes, F32, the values transposed from the graph's layout", () => {
    const config: LoraConfig = { r: 4, alpha: 16, dropout: 0, targets: ALL_TARGETS };
    const adapter = randomAdapter(config, 3);
    const graph = adapter.getWeights();
    const files = encodePeft(MODEL, config, graph, BASE);
    const h = header(files.weights);
    expect(h.__metadata__).toEqual({ format: 'pt', base_model_sha256: BASE.sha256 });
    const q = 4 * 6, kv = 2 * 6;
    const want: Record<string, [number, number]> = {
      'self_attn.q_proj': [q, 24], 'self_attn.k_proj': [kv, 24], 'self_attn.v_proj': [kv, 24], 'self_attn.o_proj': [24, q],
      'mlp.gate_proj': [40, 24], 'mlp.up_proj': [40, 24], 'mlp.down_proj': [24, 40],
    };
    const names = Object.keys(h).filter((n) => n !== '__metadata__');
    expect(names).toHaveLength(3 * 7 * 2);
    for (let i = 0; i < 3; i++) {
      for (const [module, [out, inn]] of Object.entries(want)) {
        const prefix = `base_model.model.model.layers.${i}.${module}`;
        expect(h[`${prefix}.lora_A.weight`]).toMatchObject({ dtype: 'F32', shape: [4, inn] });
        expect(h[`${prefix}.lora_B.weight`]).toMatchObject({ dtype: 'F32', shape: [out, 4] });
      }
    }
    // PEFT's A[k][j] is the graph's A[j][k]: spot-check values straight from the bytes
    const entry = h['base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight'];
    const dataStart = 8 + Number(new DataView(files.weights.buffer).getBigUint64(0, true));
    const view = new DataView(files.weights.buffer, files.weights.byteOffset + dataStart + entry.data_offsets[0]);
    const a = graph['layers.1.wk.lora_a']; // [in = 24, r = 4]
    for (const [k, j] of [[0, 0], [3, 5], [2, 23]]) expect(view.getFloat32(4 * (k * 24 + j), true)).toBe(a[j * 4 + k]);
    adapter.dispose();
  });

  it('adapter_config.json carries every field PEFT reads, field by field', () => {
    const files = encodePeft(MODEL, { r: 8, alpha: 16, dropout: 0.05, targets: ATTENTION_TARGETS }, LoraAdapter.create(MODEL, { r: 8, alpha: 16, dropout: 0.05, targets: ATTENTION_TARGETS }).getWeights(), BASE);
    const c = files.config;
    expect(c.peft_type).toBe('LORA');
    expect(c.task_type).toBe('CAUSAL_LM');
    expect(c.r).toBe(8);
    expect(c.lora_alpha).toBe(16);
    expect(c.lora_dropout).toBe(0.05);
    expect(c.target_modules).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
    expect(c.bias).toBe('none');
    expect(c.base_model_name_or_path).toBe(BASE.name);
    expect(c.revision).toBe('main');
    expect(c.fan_in_fan_out).toBe(false);
    expect(c.use_dora).toBe(false);
    expect(c.use_rslora).toBe(false);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c); // plain JSON
  });

  it('round trip: the decoded adapter is the same weights and gives the same outputs', () => {
    const config: LoraConfig = { r: 3, alpha: 5, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'] };
    const adapter = randomAdapter(config, 5);
    const files = encodePeft(MODEL, config, adapter.getWeights(), BASE);
    // the config as it comes back from a file: parsed JSON
    const decoded = decodePeft({ weights: files.weights, config: JSON.parse(JSON.stringify(files.config)) }, MODEL, BASE);
    expect(decoded.config).toEqual(config);
    expect(decoded.weights).toEqual(adapter.getWeights());
    const again = new LoraAdapter(MODEL, decoded.config, decoded.weights);
    const x = tf.randomNormal([5, 24]) as tf.Tensor2D;
    expect(again.delta(x, 'layers.2.wq').arraySync()).toEqual(adapter.delta(x, 'layers.2.wq').arraySync());
    x.dispose();
    again.dispose();
    adapter.dispose();
  });

  describe('refusals (nothing is returned)', () => {
    const config: LoraConfig = { r: 4, alpha: 8, dropout: 0, targets: ATTENTION_TARGETS };
    const good = () => encodePeft(MODEL, config, LoraAdapter.create(MODEL, config, 9).getWeights(), BASE);

    it('another base: by name, by checksum, by shape', () => {
      refused(good(), 'base', /trained on "HuggingFaceTB\/SmolLM2-135M-Instruct"; the loaded base is "Qwen\/Qwen3-0.6B"/, { ...BASE, name: 'Qwen/Qwen3-0.6B' });
      refused(good(), 'base', /checksum abababababab….*cdcdcdcdcdcd…/, { ...BASE, sha256: 'cd'.repeat(32) });
      refused(good(), 'shape', /"base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight" is \[4,24\], this base needs \[4,32\]/, BASE, { ...MODEL, dModel: 32 });
      refused(good(), 'unknown-tensor', /layers\.2\..*not a LoRA weight.*2-layer base/, BASE, { ...MODEL, nLayers: 2 });
    });

    it('wrong shapes: a rank the config does not state', () => {
      const files = good();
      refused({ ...files, config: { ...files.config, r: 5 } }, 'shape', /is \[4,24\], this base needs \[5,24\]/);
    });

    it('unknown or unsupported targets and options', () => {
      const files = good();
      refused({ ...files, config: { ...files.config, target_modules: ['q_proj', 'lm_head'] } }, 'target', /"lm_head" is not one of q_proj/);
      refused({ ...files, config: { ...files.config, target_modules: 'all-linear' } }, 'target', /target_modules is "all-linear"/);
      refused({ ...files, config: { ...files.config, use_dora: true } }, 'config', /use_dora is true/);
      refused({ ...files, config: { ...files.config, peft_type: 'IA3' } }, 'config', /peft_type is "IA3"/);
      refused({ ...files, config: { ...files.config, bias: 'all' } }, 'config', /bias is "all"/);
      refused({ ...files, config: { ...files.config, lora_alpha: -1 } }, 'config', /lora_alpha is -1/);
    });

    it('a missing or extra tensor, a corrupt file', () => {
      const files = good();
      const withExtra = encodeSafetensors(
        [{ name: 'base_model.model.model.layers.0.mlp.up_proj.lora_A.weight', shape: [4, 24], data: new Float32Array(96) }],
        { base_model_sha256: BASE.sha256 },
      );
      refused({ ...files, weights: withExtra }, 'missing-tensor', /no "base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight"/);
      refused({ ...files, config: { ...files.config, target_modules: ['q_proj', 'k_proj', 'v_proj'] } }, 'unknown-tensor', /o_proj\.lora_A\.weight" is not a LoRA weight/);
      refused({ ...files, weights: files.weights.subarray(0, 100) }, 'header', /adapter_model\.safetensors/);
    });
  });
});
