/**
 * `npm run gen:hf-checkpoint -- --out <dir> --family llama|qwen2|qwen3 [--dtype f32|bf16|f16] [--shards N] [--seed S]`
 *
 * A tiny random model in a Hugging Face folder's exact layout (config.json, generation_config.json,
 * tokenizer.json with a small byte-level BPE, tokenizer_config.json with a ChatML template, model.safetensors or
 * an index and shards), for tests of the loader and the graph. Weights in HF's own names and [out, in] layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createRng } from '../src/model/rng.ts';

export type TinyFamily = 'llama' | 'qwen2' | 'qwen3';
export type TinyDtype = 'f32' | 'bf16' | 'f16';

export interface TinySpec {
  family: TinyFamily;
  dtype?: TinyDtype;
  shards?: number;
  seed?: number;
  tied?: boolean;
  /** config.json fields to add or override (for refusals). */
  configOverrides?: Record<string, unknown>;
}

const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's byte → printable-character map (what byte-level BPE vocabularies are written in). */
function byteChars(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return out;
}

/** A byte-level BPE over all 256 bytes plus a few merges and the ChatML specials. */
export function tinyTokenizer(): { tokenizer: Record<string, unknown>; vocabSize: number } {
  const chars = byteChars();
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['Ġ', 'a'], ['e', 'r'], ['o', 'n']];
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const base = Object.keys(vocab).length;
  const added = SPECIALS.map((content, i) => ({ id: base + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: merges.map((m) => m.join(' ')) },
  };
  return { tokenizer, vocabSize: base + SPECIALS.length };
}

interface FileTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Random tensors in HF names and layout for a tiny config of the family. */
function tinyTensors(spec: TinySpec, config: Record<string, number | boolean>): FileTensor[] {
  const rng = createRng(spec.seed ?? 1);
  const gaussian = () => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
  const d = config.hidden_size as number;
  const heads = config.num_attention_heads as number;
  const kv = config.num_key_value_heads as number;
  const hd = (config.head_dim as number) ?? d / heads;
  const ff = config.intermediate_size as number;
  const vocab = config.vocab_size as number;
  const tensors: FileTensor[] = [];
  const add = (name: string, shape: number[], kind: 'matrix' | 'norm' | 'bias') => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    // norms near 1 and biases and matrices large enough that every part visibly moves the logits
    for (let i = 0; i < n; i++) data[i] = kind === 'norm' ? 1 + 0.2 * gaussian() : kind === 'bias' ? 0.3 * gaussian() : (gaussian() * 1) / Math.sqrt(shape[1]);
    tensors.push({ name, shape, data });
  };
  add('model.embed_tokens.weight', [vocab, d], 'matrix');
  for (let i = 0; i < (config.num_hidden_layers as number); i++) {
    const p = `model.layers.${i}.`;
    add(`${p}input_layernorm.weight`, [d], 'norm');
    add(`${p}self_attn.q_proj.weight`, [heads * hd, d], 'matrix');
    add(`${p}self_attn.k_proj.weight`, [kv * hd, d], 'matrix');
    add(`${p}self_attn.v_proj.weight`, [kv * hd, d], 'matrix');
    if (spec.family === 'qwen2') {
      add(`${p}self_attn.q_proj.bias`, [heads * hd], 'bias');
      add(`${p}self_attn.k_proj.bias`, [kv * hd], 'bias');
      add(`${p}self_attn.v_proj.bias`, [kv * hd], 'bias');
    }
    if (spec.family === 'qwen3') {
      add(`${p}self_attn.q_norm.weight`, [hd], 'norm');
      add(`${p}self_attn.k_norm.weight`, [hd], 'norm');
    }
    add(`${p}self_attn.o_proj.weight`, [d, heads * hd], 'matrix');
    add(`${p}post_attention_layernorm.weight`, [d], 'norm');
    add(`${p}mlp.gate_proj.weight`, [ff, d], 'matrix');
    add(`${p}mlp.up_proj.weight`, [ff, d], 'matrix');
    add(`${p}mlp.down_proj.weight`, [d, ff], 'matrix');
  }
  add('model.norm.weight', [d], 'norm');
  if (!config.tie_word_embeddings) add('lm_head.weight', [vocab, d], 'matrix');
  return tensors;
}

/** Values as the file stores them: bf16 rounds to nearest even, f16 via Math.fround-free rounding. */
export function storedValues(data: Float32Array, dtype: TinyDtype): Float32Array {
  if (dtype === 'f32') return data;
  const out = new Float32Array(data.length);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'bf16') outBits[i] = bf16Bits(bits[i]) << 16;
    else out[i] = halfToFloat(floatToHalf(data[i]));
  }
  return out;
}

function bf16Bits(f32: number): number {
  return ((f32 + 0x7fff + ((f32 >>> 16) & 1)) >>> 16) & 0xffff;
}

function floatToHalf(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a < 2 ** -24 / 2) return sign;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  let m = Math.round((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}

export function encodeHfSafetensors(tensors: readonly FileTensor[], dtype: TinyDtype): Uint8Array {
  const size = dtype === 'f32' ? 4 : 2;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: dtype.toUpperCase(), shape: t.shape, data_offsets: [offset, offset + size * t.data.length] };
    offset += size * t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < t.data.length; i++, at += size) {
      if (dtype === 'f32') view.setFloat32(at, t.data[i], true);
      else if (dtype === 'bf16') view.setUint16(at, bf16Bits(bits[i]), true);
      else view.setUint16(at, floatToHalf(t.data[i]), true);
    }
  }
  return out;
}

export interface TinyCheckpoint {
  dir: string;
  config: Record<string, unknown>;
  /** The weights as stored (after the dtype's rounding), HF names and layout: what a reference reads. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Write a tiny random model folder; returns its config and the stored tensor values. */
export function writeTinyHfCheckpoint(dir: string, spec: TinySpec): TinyCheckpoint {
  mkdirSync(dir, { recursive: true });
  const { tokenizer, vocabSize } = tinyTokenizer();
  const dtype = spec.dtype ?? 'f32';
  const architecture = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[spec.family];
  const config: Record<string, unknown> = {
    architectures: [architecture],
    model_type: spec.family,
    vocab_size: vocabSize + 5, // like Qwen: the embedding has a few rows no token uses
    hidden_size: 48,
    intermediate_size: 80,
    num_hidden_layers: 2,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    max_position_embeddings: 512,
    rms_norm_eps: spec.family === 'llama' ? 1e-5 : 1e-6,
    rope_theta: spec.family === 'llama' ? 100000 : 1000000,
    hidden_act: 'silu',
    tie_word_embeddings: spec.tied ?? true,
    torch_dtype: { f32: 'float32', bf16: 'bfloat16', f16: 'float16' }[dtype],
    bos_token_id: vocabSize - 3,
    eos_token_id: vocabSize - 1,
    ...(spec.family === 'qwen3' ? { head_dim: 16 } : {}),
    ...spec.configOverrides,
  };
  const tensors = tinyTensors(spec, config as Record<string, number | boolean>);
  const stored = new Map(tensors.map((t) => [t.name, { shape: t.shape, data: storedValues(t.data, dtype) }]));
  const shards = spec.shards ?? 1;
  if (shards <= 1) writeFileSync(join(dir, 'model.safetensors'), encodeHfSafetensors(tensors, dtype));
  else {
    const weightMap: Record<string, string> = {};
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = tensors.filter((_, i) => i % shards === s);
      for (const t of part) weightMap[t.name] = file;
      writeFileSync(join(dir, file), encodeHfSafetensors(part, dtype));
    }
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2));
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: vocabSize - 3, eos_token_id: [vocabSize - 1, vocabSize - 3] }, null, 2));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>', chat_template: CHATML, model_max_length: 512 }, null, 2),
  );
  return { dir, config, tensors: stored };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      family: { type: 'string', default: 'llama' },
      dtype: { type: 'string', default: 'f32' },
      shards: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.out) throw new Error('--out <dir> is required');
  const spec: TinySpec = { family: values.family as TinyFamily, dtype: values.dtype as TinyDtype, shards: Number(values.shards), seed: Number(values.seed) };
  writeTinyHfCheckpoint(values.out, spec);
  console.log(`wrote a tiny random ${spec.family} (${spec.dtype}, ${spec.shards} file(s)) to ${values.out}`);
}
