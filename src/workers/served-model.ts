import { Policy } from '../model/policy.ts';
import { loadPolicy } from '../model/checkpoint.ts';
import { Tokenizer } from '../model/tokenizer.ts';
import type { ChatTokenizer } from '../model/chat-tokenizer.ts';
import { loadHfModel } from '../model/hf/load.ts';
import type { ModelFiles } from '../model/hf/files.ts';
import { LoraAdapter } from '../model/adapter/lora.ts';
import type { CheckpointBlob, HfModelLocation, PolicyWeights } from './protocol.ts';
import { hubFiles, memoryFiles, urlFiles } from './url-model-files.ts';

/** A policy and the tokenizer it speaks: the built-in checkpoint or a Hugging Face model folder. */
export interface ServedModel {
  policy: Policy;
  tokenizer: ChatTokenizer;
  /** The checkpoint's preset, or the HF family. */
  preset: string;
  /** A Hugging Face base is served frozen (issue 13's adapters learn on top of it). */
  frozenBase: boolean;
}

export async function servedCheckpoint(checkpoint: CheckpointBlob): Promise<ServedModel> {
  const { policy, manifest } = await loadPolicy(checkpoint.bytes, checkpoint.manifest);
  return { policy, tokenizer: Tokenizer.fromJSON(manifest.tokenizer as never), preset: manifest.preset, frozenBase: false };
}

export async function servedHfModel(files: ModelFiles): Promise<ServedModel> {
  const model = await loadHfModel(files);
  return { policy: new Policy(model.config, model.weights, { trainable: false }), tokenizer: model.tokenizer, preset: model.family, frozenBase: true };
}

/** The files of a location sent across the worker boundary. */
export function locationFiles(location: HfModelLocation): ModelFiles {
  if (location.kind === 'hub') return hubFiles(location.repo, location.revision);
  if (location.kind === 'url') return urlFiles(location.url);
  return memoryFiles(location.name, location.files);
}

/**
 * The base's name and revision as its adapters record them (PEFT's base_model_name_or_path): the Hub repo (also for files the
 * page downloaded from a Hub resolve URL), the folder's name for a folder on a server (not its origin, which
 * changes with the port or host that serves it), or the name of a folder picked from disk.
 */
export function baseModelName(location: HfModelLocation): { name: string; revision: string | null } {
  if (location.kind === 'hub') return { name: location.repo, revision: location.revision ?? 'main' };
  const where = location.kind === 'url' ? location.url : location.name;
  if (!/^https?:\/\//.test(where)) return { name: where, revision: null };
  const url = new URL(where);
  const hub = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/?$/.exec(url.pathname);
  if (hub && url.hostname === 'huggingface.co') return { name: hub[1], revision: decodeURIComponent(hub[2]) };
  return { name: url.pathname.split('/').filter(Boolean).pop() ?? where, revision: null };
}

/**
 * A published version onto an engine's policy: every weight replaced, or, for an adapter version, the adapter's
 * weights on the loaded base (the adapter is created on the first one; the base's weights are never touched).
 */
export function withPublished(policy: Policy, update: PolicyWeights): Policy {
  if (!update.adapter) policy.setWeights(update.weights);
  else if (policy.adapter) policy.adapter.setWeights(update.weights);
  else return policy.withAdapter(new LoraAdapter(policy.config, update.adapter, update.weights));
  return policy;
}

/** Frees a policy's weights (its owner's, for a view) and its adapter. */
export function disposePolicy(policy: Policy | null): void {
  policy?.adapter?.dispose();
  policy?.owner.dispose();
}
