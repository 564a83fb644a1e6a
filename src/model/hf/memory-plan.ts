import { parameterCount, resolveConfig, type ModelConfig } from '../presets.ts';

/** What this device and origin allow, as far as the page can tell before downloading. */
export interface DeviceLimits {
  /** Free storage for the origin: navigator.storage.estimate() quota − usage (bytes). */
  storageAvailable?: number;
  /** The GPU adapter's maxBufferSize (bytes): the largest single tensor it can hold. */
  maxBufferSize?: number;
  /** A budget for all tensors (bytes): e.g. the wasm heap's 4 GiB, or what the visitor's device can spare. */
  memoryBudget?: number;
}

export interface MemoryPlan {
  /** Bytes to download (the files' sizes). */
  downloadBytes: number;
  /** Weights as f32 in tfjs. */
  weightBytes: number;
  /** Keys and values of every layer for `contextTokens` positions. */
  kvCacheBytes: number;
  /** The largest transient tensors: logits of a teacher-scored reply and one layer's MLP activations. */
  activationBytes: number;
  /** The largest single tensor (the embedding, [dModel, vocab] f32). */
  largestTensorBytes: number;
  totalBytes: number;
  /** Empty when the model fits; otherwise one sentence per limit it exceeds, with the numbers. */
  refusals: string[];
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/**
 * The memory a Hugging Face model will need on this device, from its config and file sizes alone, and whether
 * it fits: checked before any weight is downloaded, so a model that cannot run is refused with the numbers.
 */
export function planMemory(config: ModelConfig, downloadBytes: number, limits: DeviceLimits, contextTokens = 1024, scoredTokens = 64): MemoryPlan {
  const c = resolveConfig(config);
  const weightBytes = 4 * parameterCount(config);
  const kvCacheBytes = 4 * c.nLayers * 2 * c.nKvHeads * c.headDim * Math.min(contextTokens, c.maxLen);
  const activationBytes = 4 * (2 * scoredTokens * c.vocabSize + 4 * contextTokens * Math.max(c.dFF, c.dModel));
  const largestTensorBytes = 4 * c.dModel * c.vocabSize;
  const totalBytes = weightBytes + kvCacheBytes + activationBytes;
  const refusals: string[] = [];
  if (limits.storageAvailable !== undefined && downloadBytes > limits.storageAvailable) {
    refusals.push(`the files need ${MB(downloadBytes)} of storage; this site may use ${MB(limits.storageAvailable)} more`);
  }
  if (limits.maxBufferSize !== undefined && largestTensorBytes > limits.maxBufferSize) {
    refusals.push(`its embedding is ${MB(largestTensorBytes)} as f32; the GPU's largest buffer is ${MB(limits.maxBufferSize)}`);
  }
  if (limits.memoryBudget !== undefined && totalBytes > limits.memoryBudget) {
    refusals.push(`it needs ${MB(totalBytes)} (weights ${MB(weightBytes)} as f32, KV cache ${MB(kvCacheBytes)}, activations ${MB(activationBytes)}); the budget is ${MB(limits.memoryBudget)}`);
  }
  return { downloadBytes, weightBytes, kvCacheBytes, activationBytes, largestTensorBytes, totalBytes, refusals };
}
