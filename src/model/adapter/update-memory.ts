/**
 * The memory one LoRA update will need (issue 13 "Memory and device"), from the shapes alone, so the page can
 * state it before the first update and refuse one that does not fit with the numbers rather than lose the tab.
 * An estimate of the largest live tensors, all f32: the frozen base, the adapter with its gradient and Adam's
 * two moments, the activations of one batched forward and backward (under gradient checkpointing, every
 * layer's input plus one layer's intermediates; without, every layer's: several times more), and the logits of
 * the scored rows.
 */
import { parameterCount, resolveConfig, type ModelConfig } from '../presets.ts';
import { adapterSpecs, type LoraConfig } from './lora.ts';

/**
 * One update's batch: `samples` sequences of up to `tokens` tokens, of which `logitRows` per sample get logits,
 * run `atOnce` samples at a time (micro-batches whose gradients are summed; all of them when absent), with every
 * layer recomputed in the backward when `checkpointing` (gradient checkpointing; LoRA dropout 0 only).
 */
export interface UpdateShape {
  samples: number;
  tokens: number;
  logitRows: number;
  atOnce?: number;
  checkpointing?: boolean;
}

/** The shape of an update on `samples`: the longest prompt + reply (less one) and the longest reply, whose rows get logits. */
export function updateShapeOf(samples: readonly { prompt_ids: readonly number[]; response_ids: readonly number[] }[]): UpdateShape {
  return {
    samples: samples.length,
    tokens: Math.max(...samples.map((s) => s.prompt_ids.length + s.response_ids.length - 1)),
    logitRows: Math.max(...samples.map((s) => s.response_ids.length)),
  };
}

/** The `updateMemoryMb` setting in bytes, the cap planUpdate works under. */
export function updateMemoryCap(settings: { updateMemoryMb: number }): number {
  return settings.updateMemoryMb * 2 ** 20;
}

export interface UpdateMemory {
  weightBytes: number;
  /** Adapter weights, their gradient and Adam's m and v. */
  adapterBytes: number;
  activationBytes: number;
  logitBytes: number;
  /** The largest single tensor: the logits (a GPU buffer must hold it whole). */
  largestTensorBytes: number;
  totalBytes: number;
  checkpointing: boolean;
}

const F32 = 4;
const LAYER_COPIES = 9;
const PER_LOGIT_ROW = 40;
const PER_INPUT_ROW = 10;

export function updateMemory(model: ModelConfig, lora: LoraConfig, shape: UpdateShape): UpdateMemory {
  const c = resolveConfig(model);
  const { tokens: l, logitRows } = shape;
  const n = Math.min(shape.samples, shape.atOnce ?? shape.samples);
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const adapterParams = adapterSpecs(model, lora).reduce((sum, s) => sum + s.shape[0] * s.shape[1], 0);
  // one layer: norms and residuals, q/k/v (and their rotated copies), attention out, gate/up/act/product, and the scores
  const perToken = 4 * c.dModel + 2 * (q + 2 * kv) + q + 4 * c.dFF + lora.r * lora.targets.length;
  const layerBytes = F32 * n * (l * perToken + 2 * c.nHeads * l * l);
  const checkpointing = shape.checkpointing === true;
  if (checkpointing && lora.dropout > 0) throw new RangeError('updateMemory: gradient checkpointing needs LoRA dropout 0');
  // tfjs keeps every intermediate of a gradient's forward until the backward is done, and their gradients beside
  // them: about nine times layerBytes per layer whose intermediates are alive (measured with tf.profile up to the
  // 135M shape, test/unit/model-update-memory.test.ts). Under checkpointing that is one layer (the one recomputed),
  // plus every layer's input and its gradient; without, every layer and one more.
  const activationBytes = checkpointing
    ? 4 * F32 * c.nLayers * n * l * c.dModel + LAYER_COPIES * layerBytes
    : LAYER_COPIES * (c.nLayers + 1) * layerBytes;
  const largestTensorBytes = F32 * n * logitRows * c.vocabSize;
  // the loss's tensors over the vocabulary (logits, log-softmax at T, softmax, the support's scatter, their
  // gradients) per reply row, and a few per input row: coefficients measured as above, rounded up
  const logitBytes = F32 * n * c.vocabSize * (PER_LOGIT_ROW * logitRows + PER_INPUT_ROW * l);
  const weightBytes = F32 * parameterCount(model);
  const adapterBytes = 4 * F32 * adapterParams;
  return {
    weightBytes, adapterBytes, activationBytes, logitBytes, largestTensorBytes,
    totalBytes: weightBytes + adapterBytes + activationBytes + logitBytes,
    checkpointing,
  };
}

const MB = (bytes: number) => `${bytes < 10 * 2 ** 20 ? (bytes / 2 ** 20).toFixed(1) : Math.round(bytes / 2 ** 20)} MB`;

/**
 * How an update of this batch runs: the cheapest way that fits under `capBytes`, tried in order of work — every
 * sample at once keeping every layer's intermediates; one sample at a time (its gradients summed: the same step,
 * a fraction of the memory); then, with LoRA dropout 0, each of those under gradient checkpointing (a third more
 * forward work). When none fits, the smallest, with what it needs (updateMemoryRefusal says why not).
 */
export function planUpdate(model: ModelConfig, lora: LoraConfig, batch: Omit<UpdateShape, 'atOnce' | 'checkpointing'>, capBytes: number): { shape: UpdateShape; memory: UpdateMemory } {
  const ways: UpdateShape[] = [];
  for (const checkpointing of lora.dropout === 0 ? [false, true] : [false]) {
    ways.push({ ...batch, checkpointing });
    if (batch.samples > 1) ways.push({ ...batch, atOnce: 1, checkpointing });
  }
  let plan!: { shape: UpdateShape; memory: UpdateMemory };
  for (const shape of ways) {
    plan = { shape, memory: updateMemory(model, lora, shape) };
    if (plan.memory.totalBytes <= capBytes) break;
  }
  return plan;
}

/** One line for the page: what an update of this shape needs, part by part. */
export function describeUpdateMemory(m: UpdateMemory, shape: UpdateShape): string {
  const atOnce = shape.atOnce !== undefined && shape.atOnce < shape.samples ? ` (${shape.atOnce} at a time)` : '';
  return `one update of ${shape.samples} sample(s)${atOnce} × ${shape.tokens} tokens needs about ${MB(m.totalBytes)}: base ${MB(m.weightBytes)} (f32), ` +
    `adapter with gradient and Adam ${MB(m.adapterBytes)}, activations ${MB(m.activationBytes)} (${m.checkpointing ? 'gradient checkpointing' : 'every layer kept, no checkpointing'}), ` +
    `logits ${MB(m.logitBytes)}`;
}

/**
 * Why an update of this shape must not run, with the numbers, or null when it fits: over `capBytes` (the
 * `updateMemoryMb` setting), or a logits tensor larger than the GPU's largest storage buffer (`maxBufferBytes`).
 */
export function updateMemoryRefusal(m: UpdateMemory, shape: UpdateShape, capBytes: number, maxBufferBytes?: number): string | null {
  if (m.totalBytes > capBytes) {
    return `Not updating: ${describeUpdateMemory(m, shape)}; the cap (setting "Update memory cap") is ${MB(capBytes)}. ` +
      'Lower the batch size, the max reply tokens or the rank, or raise the cap if this device has the memory.';
  }
  if (maxBufferBytes !== undefined && m.largestTensorBytes > maxBufferBytes) {
    return `Not updating: its logits tensor is ${MB(m.largestTensorBytes)}; this GPU's largest storage buffer is ${MB(maxBufferBytes)}. Lower the batch size or the reply length.`;
  }
  return null;
}
