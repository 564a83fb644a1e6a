/**
 * An adapter in PEFT's own files (shared/HF-MODELS.md "PEFT adapter files"), so one trained here loads with
 * `PeftModel.from_pretrained` elsewhere and one trained elsewhere loads here: `adapter_model.safetensors`
 * (`base_model.model.<module>.lora_A.weight` [r, in], `.lora_B.weight` [out, r]) and `adapter_config.json`.
 * The same files are what a version stores. The base's checksum travels in the safetensors metadata.
 */
import type { ModelConfig } from '../presets.ts';
import { encodeSafetensors, type NamedTensor } from '../safetensors.ts';
import { hfName } from '../hf/names.ts';
import { readSafetensorsHeader, tensorToF32, transposed } from '../hf/safetensors-file.ts';
import { HfModelError } from '../hf/errors.ts';
import { adapterSpecs, LORA_TARGETS, type LoraConfig, type LoraTarget } from './lora.ts';

export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
export const PEFT_CONFIG_FILE = 'adapter_config.json';

/** Which base an adapter belongs to: the model's repo (or folder name), its revision, and a checksum of its weights. */
export interface BaseModelIdentity {
  name: string;
  revision: string | null;
  /** Hex sha256 identifying the base's weights (see the caller for what it hashes). */
  sha256: string;
}

export interface PeftFiles {
  /** adapter_model.safetensors */
  weights: Uint8Array;
  /** adapter_config.json, parsed */
  config: Record<string, unknown>;
}

/** An adapter file that cannot be used on this base; `code` says which check failed. Nothing was changed. */
export class AdapterError extends Error {
  constructor(
    readonly code: 'config' | 'base' | 'target' | 'shape' | 'missing-tensor' | 'unknown-tensor' | 'header',
    message: string,
  ) {
    super(message);
    this.name = 'AdapterError';
  }
}

/** PEFT's tensor name of one adapter weight: `layers.3.wq.lora_a` → `base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight`. */
export function peftTensorName(graphName: string): string {
  const m = /^(layers\.\d+\.\w+)\.lora_(a|b)$/.exec(graphName);
  if (!m) throw new Error(`"${graphName}" is not an adapter weight`);
  const module = hfName(m[1]).replace(/\.weight$/, '');
  return `base_model.model.${module}.lora_${m[2].toUpperCase()}.weight`;
}

/** The two files of an adapter (weights in the graph's layout, adapterSpecs) for the base `base`. */
export function encodePeft(model: ModelConfig, lora: LoraConfig, weights: Record<string, Float32Array>, base: BaseModelIdentity): PeftFiles {
  const tensors: NamedTensor[] = adapterSpecs(model, lora).map(({ name, shape }) => {
    const data = weights[name];
    if (!data) throw new Error(`adapter weight "${name}" missing`);
    // the graph holds [in, r] and [r, out]; PEFT holds their transposes, [r, in] and [out, r]
    return { name: peftTensorName(name), shape: [shape[1], shape[0]], data: transposed(data, shape[0], shape[1]) };
  });
  const bytes = encodeSafetensors(tensors, { format: 'pt', base_model_sha256: base.sha256 });
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: lora.r,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: LORA_TARGETS.filter((t) => lora.targets.includes(t)),
    bias: 'none',
    base_model_name_or_path: base.name,
    revision: base.revision,
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
  };
  return { weights: bytes, config };
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** The LoRA config adapter_config.json describes; AdapterError('config' | 'target') for anything this graph cannot apply. */
export function parsePeftConfig(json: unknown): LoraConfig & { baseName: string | null } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new AdapterError('config', `${PEFT_CONFIG_FILE} is not a JSON object`);
  const c = json as Record<string, unknown>;
  const expect = (key: string, want: unknown, optional = false) => {
    const got = own(c, key);
    if (optional && (got === undefined || got === null)) return;
    if (got !== want) throw new AdapterError('config', `${PEFT_CONFIG_FILE}: ${key} is ${JSON.stringify(got)}, only ${JSON.stringify(want)} is supported`);
  };
  expect('peft_type', 'LORA');
  expect('task_type', 'CAUSAL_LM');
  expect('bias', 'none', true);
  expect('use_dora', false, true);
  expect('use_rslora', false, true);
  expect('fan_in_fan_out', false, true);
  expect('modules_to_save', null, true);
  const r = own(c, 'r');
  const alpha = own(c, 'lora_alpha');
  const dropout = own(c, 'lora_dropout') ?? 0;
  if (!Number.isInteger(r) || (r as number) < 1) throw new AdapterError('config', `${PEFT_CONFIG_FILE}: r is ${JSON.stringify(r)}, expected a positive integer`);
  if (typeof alpha !== 'number' || !(alpha > 0)) throw new AdapterError('config', `${PEFT_CONFIG_FILE}: lora_alpha is ${JSON.stringify(alpha)}, expected a positive number`);
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new AdapterError('config', `${PEFT_CONFIG_FILE}: lora_dropout is ${JSON.stringify(dropout)}, expected [0, 1)`);
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const pattern = own(c, key);
    if (pattern && typeof pattern === 'object' && Object.keys(pattern).length > 0) throw new AdapterError('config', `${PEFT_CONFIG_FILE}: per-module ${key} is not supported`);
  }
  const modules = own(c, 'target_modules');
  if (!Array.isArray(modules) || modules.length === 0) {
    throw new AdapterError('target', `${PEFT_CONFIG_FILE}: target_modules is ${JSON.stringify(modules)}; expected a list of ${LORA_TARGETS.join(', ')}`);
  }
  for (const m of modules) {
    if (!LORA_TARGETS.includes(m as LoraTarget)) throw new AdapterError('target', `${PEFT_CONFIG_FILE}: target module ${JSON.stringify(m)} is not one of ${LORA_TARGETS.join(', ')}`);
  }
  const baseName = own(c, 'base_model_name_or_path');
  return { r: r as number, alpha, dropout, targets: LORA_TARGETS.filter((t) => modules.includes(t)), baseName: typeof baseName === 'string' ? baseName : null };
}

/**
 * Reads PEFT files for the loaded base `model` / `base`. Refused (AdapterError, nothing returned) when the config
 * is not a plain LoRA, names another base or a target this graph lacks, the weights were written for another
 * base's checksum, or any tensor is missing, unknown or of the wrong shape. Weights come back in the graph's layout.
 */
export function decodePeft(files: PeftFiles, model: ModelConfig, base: BaseModelIdentity): { config: LoraConfig; weights: Record<string, Float32Array> } {
  const parsed = parsePeftConfig(files.config);
  if (parsed.baseName !== null && parsed.baseName !== base.name) {
    throw new AdapterError('base', `this adapter was trained on "${parsed.baseName}"; the loaded base is "${base.name}"`);
  }
  let entries;
  try {
    entries = readSafetensorsHeader(files.weights, PEFT_WEIGHTS_FILE);
  } catch (e) {
    throw new AdapterError('header', e instanceof HfModelError ? e.message : String(e));
  }
  const metadata = safetensorsMetadata(files.weights);
  const writtenFor = metadata.base_model_sha256;
  if (writtenFor !== undefined && writtenFor !== base.sha256) {
    throw new AdapterError('base', `this adapter was trained on a base with checksum ${String(writtenFor).slice(0, 12)}…; the loaded "${base.name}" is ${base.sha256.slice(0, 12)}…`);
  }
  const { baseName: _, ...config } = parsed;
  const weights: Record<string, Float32Array> = {};
  const expected = new Set<string>();
  for (const { name, shape } of adapterSpecs(model, config)) {
    const fileName = peftTensorName(name);
    expected.add(fileName);
    const entry = entries.get(fileName);
    if (!entry) throw new AdapterError('missing-tensor', `${PEFT_WEIGHTS_FILE} has no "${fileName}"`);
    const want = [shape[1], shape[0]];
    if (entry.shape.join() !== want.join()) {
      throw new AdapterError('shape', `${PEFT_WEIGHTS_FILE}: "${fileName}" is [${entry.shape}], this base needs [${want}]`);
    }
    weights[name] = tensorToF32(files.weights, entry, true);
  }
  for (const name of entries.keys()) {
    if (!expected.has(name)) throw new AdapterError('unknown-tensor', `${PEFT_WEIGHTS_FILE}: "${name}" is not a LoRA weight of ${config.targets.join(', ')} in this ${model.nLayers}-layer base`);
  }
  return { config, weights };
}

function safetensorsMetadata(bytes: Uint8Array): Record<string, unknown> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  const meta = own(header, '__metadata__');
  return meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : {};
}
