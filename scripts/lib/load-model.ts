import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Policy } from '../../src/model/policy.ts';
import { loadPolicy } from '../../src/model/checkpoint.ts';
import { Tokenizer } from '../../src/model/tokenizer.ts';
import type { ChatTokenizer } from '../../src/model/chat-tokenizer.ts';
import { loadHfModel } from '../../src/model/hf/load.ts';
import { folderFiles } from './model-folder.ts';

export const BUILT_IN = 'nextstate-tiny';

export interface LoadedModel {
  name: string;
  policy: Policy;
  tokenizer: ChatTokenizer;
  /** Whether the tokenizer renders chats (the built-in one always does; an HF one when it has a chat_template). */
  chat: boolean;
}

/**
 * A model for the Node tools: `nextstate-tiny` (the shipped checkpoint), a NextState checkpoint path (with or without
 * `.json`/`.safetensors`), or a Hugging Face model folder (config.json, tokenizer files, safetensors).
 */
export async function loadModel(spec: string): Promise<LoadedModel> {
  const base = spec === BUILT_IN ? join('public/models', BUILT_IN) : spec.replace(/\.(json|safetensors)$/, '');
  if (existsSync(`${base}.json`) && existsSync(`${base}.safetensors`)) {
    const manifest = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    const { policy } = await loadPolicy(new Uint8Array(readFileSync(`${base}.safetensors`)), manifest);
    return { name: base, policy, tokenizer: Tokenizer.fromJSON(manifest.tokenizer), chat: true };
  }
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const model = await loadHfModel(folderFiles(spec));
    const policy = new Policy(model.config, model.weights, { trainable: false });
    return { name: spec, policy, tokenizer: model.tokenizer, chat: model.tokenizer.hasChatTemplate };
  }
  throw new Error(`--model ${spec}: neither "${BUILT_IN}", a NextState checkpoint (<path>.json + <path>.safetensors) nor a model folder`);
}
